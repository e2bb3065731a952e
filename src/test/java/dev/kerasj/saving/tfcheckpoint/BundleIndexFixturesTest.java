package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariable;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariableDataType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariableNumDims;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariableShape;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderSize;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteCheckpointReader;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewCheckpointReader;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.internal.c_api.TF_CheckpointReader;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * The Java index reader lists exactly what TensorFlow's own {@code CheckpointReader} lists (same keys, dtypes and
 * shapes) for every committed bundle: the Python-written checkpoints, resume checkpoints and SavedModel variables
 * under {@code testdata/}. These files are sound, so TensorFlow's reader is safe to call on them here.
 */
class BundleIndexFixturesTest {
  static Stream<Path> fixtureIndexes() throws IOException {
    try (Stream<Path> all = Files.walk(Path.of("testdata"))) {
      List<Path> found = all.filter(p -> p.getFileName().toString().endsWith(".index")).sorted().toList();
      return found.stream();
    }
  }

  @Test
  void fixtures_includeCheckpointsAndSavedModelVariables() throws IOException {
    List<Path> found = fixtureIndexes().toList();
    assertTrue(found.size() >= 40, "fixtures found: " + found.size());
    assertTrue(found.stream().anyMatch(p -> p.toString().contains("variables.index")), found.toString());
  }

  @ParameterizedTest
  @MethodSource("fixtureIndexes")
  void javaReader_listsWhatTensorFlowsReaderLists(Path indexFile) {
    String name = indexFile.getFileName().toString();
    Path prefix = indexFile.resolveSibling(name.substring(0, name.length() - ".index".length()));
    Map<String, String> expected = tensorFlowEntries(prefix);
    assertTrue(expected.size() > 0, indexFile.toString());
    assertEquals(expected, CheckpointTesting.entries(prefix), indexFile.toString());
  }

  /** Key → "dtype[shape]" as TensorFlow's C API {@code TF_NewCheckpointReader} reads them. */
  static Map<String, String> tensorFlowEntries(Path prefix) {
    TF_Status status = TF_Status.newStatus();
    TF_CheckpointReader reader = null;
    try {
      reader = TF_NewCheckpointReader(prefix.toString(), status);
      assertEquals(TF_OK, TF_GetCode(status), () -> TF_Message(status).getString());
      Map<String, String> out = new TreeMap<>();
      int n = TF_CheckpointReaderSize(reader);
      for (int i = 0; i < n; i++) {
        BytePointer key = TF_CheckpointReaderGetVariable(reader, i);
        int rank = TF_CheckpointReaderGetVariableNumDims(reader, key);
        long[] dims = new long[rank];
        TF_CheckpointReaderGetVariableShape(reader, key, dims, rank, status);
        assertEquals(TF_OK, TF_GetCode(status), () -> TF_Message(status).getString());
        out.put(key.getString(StandardCharsets.UTF_8),
            BundleIndex.dtypeName(TF_CheckpointReaderGetVariableDataType(reader, key)) + Arrays.toString(dims));
      }
      return out;
    } finally {
      if (reader != null && !reader.isNull()) {
        TF_DeleteCheckpointReader(reader);
      }
      status.delete();
    }
  }
}
