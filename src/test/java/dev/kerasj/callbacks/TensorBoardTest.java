package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * {@link TensorBoard} writes Keras' directories, tags and steps. Events are read back here with a minimal TFRecord
 * reader; {@code python-interop/tests/test_tensorboard.py} reads the run this test leaves in
 * {@code <kerasj.interopDir>/tensorboard/} with TensorBoard's own reader and compares it with a Keras run.
 */
class TensorBoardTest {
  static final Path INTEROP = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("tensorboard");

  /** 20 samples of 4 features, 3 classes; with validationSplit 0.2 and batch 8: 2 train batches, 1 val batch. */
  static float[][] features() {
    float[][] x = new float[20][4];
    for (int i = 0; i < 20; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = (float) Math.sin(0.7 * i + 1.3 * j);
      }
    }
    return x;
  }

  static int[] labels() {
    int[] y = new int[20];
    for (int i = 0; i < 20; i++) {
      y[i] = i % 3;
    }
    return y;
  }

  static Sequential model() {
    Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dense(3, "softmax"));
    m.setSeed(3);
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  @Test
  void fit_writesKerasTagsAndStepsToTrainAndValidation() throws Exception {
    Path logs = INTEROP.resolve("kerasj");
    if (Files.exists(logs)) {
      dev.kerasj.saving.DurableFiles.deleteRecursively(logs);
    }
    try (Sequential m = model()) {
      History h = m.fit(features(), labels(), FitOptions.builder().epochs(3).batchSize(8).validationSplit(0.2)
          .shuffle(false).verbose(0)
          .callbacks(TensorBoard.builder(logs).histogramFreq(1).updateFreq(1).build()).build());

      Map<String, List<Event>> train = readEvents(logs.resolve("train"));
      Map<String, List<Event>> val = readEvents(logs.resolve("validation"));
      assertEquals(List.of("batch_accuracy", "batch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_loss",
          "keras", "sequential/dense/bias/histogram", "sequential/dense/kernel/histogram",
          "sequential/dense_1/bias/histogram", "sequential/dense_1/kernel/histogram"),
          new ArrayList<>(withoutGraph(train).keySet()));
      assertEquals(List.of("epoch_accuracy", "epoch_loss", "evaluation_accuracy_vs_iterations",
          "evaluation_loss_vs_iterations"), new ArrayList<>(val.keySet()));
      assertEquals(List.of(0L, 1L, 2L), steps(train.get("epoch_loss")));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(train.get("batch_loss")));
      assertEquals(List.of(2L, 4L, 6L), steps(val.get("evaluation_loss_vs_iterations")));
      for (int e = 0; e < 3; e++) {
        assertEquals(h.get("loss").get(e).floatValue(), scalar(train.get("epoch_loss").get(e)));
        assertEquals(h.get("val_accuracy").get(e).floatValue(), scalar(val.get("epoch_accuracy").get(e)));
      }
      assertEquals(1, train.get("graph_def").size(), "one graph event");
      assertEquals("scalars", train.get("epoch_loss").get(0).getSummary().getValue(0).getMetadata()
          .getPluginData().getPluginName());
      writeExpected(m, h, logs.resolveSibling("kerasj.json"));
    }
  }

  @Test
  void histogramBuckets_matchTfSummaryHistogramLayout() {
    FloatNdArray v = NdArrays.vectorOf(0f, 1f, 2f, 3f);
    double[][] rows = Histogram.buckets(v, 3);
    assertEquals(3, rows.length);
    assertEquals(0.0, rows[0][0]);
    assertEquals(1.0, rows[0][1]);
    assertEquals(3.0, rows[2][1], "last edge is the max");
    assertEquals(1.0, rows[0][2]);
    assertEquals(1.0, rows[1][2]);
    assertEquals(2.0, rows[2][2], "the max falls in the last bucket");
    double[][] single = Histogram.buckets(NdArrays.ofFloats(Shape.of(2, 2)), 30);
    assertEquals(4.0, single[29][2], "a single value: all counts in the last bucket");
    assertEquals(0.0, single[0][2]);
  }

  @Test
  void epochOnly_writesNoBatchScalarsAndNoValidationWithoutValidation(@TempDir Path dir) throws Exception {
    try (Sequential m = model()) {
      m.fit(features(), labels(), FitOptions.builder().epochs(2).batchSize(8).verbose(0)
          .callbacks(TensorBoard.builder(dir).writeGraph(false).build()).build());
    }
    Map<String, List<Event>> train = readEvents(dir.resolve("train"));
    assertEquals(List.of("epoch_accuracy", "epoch_learning_rate", "epoch_loss"), new ArrayList<>(train.keySet()));
    assertTrue(Files.notExists(dir.resolve("validation")));
  }

  @Test
  void epochLearningRate_withSchedule_isTheScheduledRate(@TempDir Path dir) throws Exception {
    // 2 steps per epoch; ExponentialDecay(1e-2, 2, 0.5): after epoch e (2(e+1) steps) the rate is 1e-2 * 0.5^(e+1).
    try (Sequential m = new Sequential(Input.of(4), new Dense(3, "softmax"))) {
      m.setSeed(3);
      Adam adam = new Adam(1e-2);
      adam.setLearningRateSchedule(new dev.kerasj.optimizers.schedules.ExponentialDecay(1e-2, 2, 0.5));
      m.compile(adam, new SparseCategoricalCrossentropy());
      m.fit(features(), labels(), FitOptions.builder().epochs(3).batchSize(10).verbose(0)
          .callbacks(TensorBoard.builder(dir).writeGraph(false).build()).build());
    }
    List<Event> rates = readEvents(dir.resolve("train")).get("epoch_learning_rate");
    assertEquals(List.of(0L, 1L, 2L), steps(rates));
    for (int e = 0; e < 3; e++) {
      assertEquals((float) (1e-2 * Math.pow(0.5, e + 1)), scalar(rates.get(e)), 1e-9, "epoch " + e);
    }
  }

  @Test
  void builder_rejectsNegativeFrequencies() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorBoard.builder(Path.of("x")).updateFreq(-1));
    assertTrue(e.getMessage().contains("updateFreq=-1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TensorBoard.builder(Path.of("x")).histogramFreq(-2));
    assertThrows(IllegalArgumentException.class, () -> TensorBoard.builder(null));
  }

  private static Map<String, List<Event>> withoutGraph(Map<String, List<Event>> events) {
    Map<String, List<Event>> out = new TreeMap<>(events);
    out.remove("graph_def");
    return out;
  }

  private static List<Long> steps(List<Event> events) {
    return events.stream().map(Event::getStep).toList();
  }

  private static float scalar(Event e) {
    org.tensorflow.proto.TensorProto t = e.getSummary().getValue(0).getTensor();
    return t.getFloatValCount() > 0 ? t.getFloatVal(0)
        : t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
  }

  private static void writeExpected(Sequential m, History h, Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ObjectNode hist = root.putObject("history");
    h.history().forEach((k, vs) -> {
      ArrayNode a = hist.putArray(k);
      vs.forEach(a::add);
    });
    ObjectNode weights = root.putObject("final_weights");
    m.getWeightsByPath().forEach((path, value) -> {
      ArrayNode a = weights.putArray(path);
      value.scalars().forEach(s -> a.add(s.getFloat()));
    });
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  /** Events of every event file in {@code dir}, by summary tag ({@code graph_def} for graph events). */
  static Map<String, List<Event>> readEvents(Path dir) throws IOException {
    Map<String, List<Event>> byTag = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          DataInputStream data = new DataInputStream(in);
          byte[] header = new byte[12];
          while (data.read(header, 0, 1) == 1) {
            data.readFully(header, 1, 11);
            long length = ByteBuffer.wrap(header, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] record = new byte[(int) length];
            data.readFully(record);
            data.readFully(new byte[4]);
            Event e = Event.parseFrom(record);
            if (!e.getGraphDef().isEmpty()) {
              byTag.computeIfAbsent("graph_def", k -> new ArrayList<>()).add(e);
            }
            for (Summary.Value v : e.getSummary().getValueList()) {
              byTag.computeIfAbsent(v.getTag(), k -> new ArrayList<>()).add(e);
            }
          }
        }
      }
    }
    return byTag;
  }
}
