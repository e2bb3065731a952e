package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.tfcheckpoint.HostileBundles;
import dev.kerasj.saving.tfcheckpoint.HostileBundles.Hostile;
import dev.kerasj.serving.ServedModel;
import dev.kerasj.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A SavedModel whose {@code variables/variables.index} holds entries TensorFlow's native reader aborts the JVM on
 * (valid block checksums, hostile contents) is refused in Java by every reader: {@link Sequential#load},
 * {@link SavedModelContents#read} (what {@code inspect} shows) and {@link ServedModel#open}, for kerasj's own
 * SavedModels and for one Keras {@code model.export()} wrote. A FIFO in a file's place is refused within seconds.
 * The JVM surviving this class is part of the check.
 */
class HostileSavedModelTest {
  static final Duration QUICKLY = Duration.ofSeconds(30);
  @TempDir Path tmp;
  Path dir;
  Path prefix;

  @BeforeEach
  void saveMlp() throws IOException {
    dir = tmp.resolve("mlp");
    try (Sequential model = ModelCases.MLP.build()) {
      SavedModelWriter.write(model, dir);
    }
    // kerasj's SHA-256 manifest refuses any changed file first (VerifySavedModelChecksumsTest); without one, as in a
    // SavedModel of Python or of an earlier kerasj, the index itself must be refused before TensorFlow reads it.
    Files.delete(dir.resolve(SavedModelWriter.CHECKSUMS));
    prefix = SavedModelContents.variablesPrefix(dir);
  }

  /** The ways a SavedModel is read: each must refuse a hostile variables index before TensorFlow sees it. */
  enum Reader {
    LOAD, CONTENTS, SERVE;

    void read(Path dir) throws IOException {
      switch (this) {
        case LOAD -> Sequential.load(dir).close();
        case CONTENTS -> SavedModelContents.read(dir);
        case SERVE -> ServedModel.open(dir).close();
      }
    }
  }

  static Stream<Arguments> hostileCases() {
    return HostileBundles.everyHostileWith((Object[]) Reader.values());
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("hostileCases")
  void hostileVariablesIndex_isCorruptNamingFileKeyAndField(Hostile hostile, Reader reader) throws IOException {
    HostileBundles.assertRefused(prefix, hostile, () -> reader.read(dir));
  }

  @ParameterizedTest
  @EnumSource(Hostile.class)
  void serve_kerasExportWithHostileVariablesIndex_isCorrupt(Hostile hostile) throws IOException {
    Path export = TestFiles.copyTree(Path.of("testdata", "serving", "keras_export"),
        tmp.resolve("keras_export"));
    HostileBundles.assertRefused(SavedModelContents.variablesPrefix(export), hostile,
        () -> Reader.SERVE.read(export));
  }

  @Test
  void soundSavedModel_stillLoadsServesAndReads() throws IOException {
    try (Sequential m = Sequential.load(dir); ServedModel s = ServedModel.open(dir)) {
      assertTrue(m.graphForInternalUse().variables().size() > 0 && !s.signatures().isEmpty());
    }
    assertTrue(SavedModelContents.read(dir).variables().tensors().size() > 0);
  }

  static Stream<Arguments> filesAndTheirReaders() {
    return Stream.of(Arguments.of("saved_model.pb", EnumSet.allOf(Reader.class)),
        Arguments.of("assets/config.json", EnumSet.of(Reader.LOAD, Reader.SERVE)),
        Arguments.of("variables/variables.data-00000-of-00001", EnumSet.allOf(Reader.class)),
        Arguments.of("fingerprint.pb", EnumSet.of(Reader.SERVE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("filesAndTheirReaders")
  void fifoInPlaceOfAFile_isRefusedQuicklyByEveryReaderOfIt(String file, Set<Reader> readers) throws Exception {
    Path fifo = dir.resolve(file);
    HostileBundles.replaceWithFifo(fifo);
    for (Reader reader : readers) {
      assertFifoRefused(fifo, () -> reader.read(dir));
    }
  }

  private static void assertFifoRefused(Path file, Executable read) {
    CorruptCheckpointException e = assertTimeoutPreemptively(QUICKLY,
        () -> assertThrows(CorruptCheckpointException.class, read));
    assertEquals(file, e.file(), e.getMessage());
    assertTrue(e.getMessage().contains(file + " is a FIFO, expected a regular file"), e.getMessage());
  }
}
