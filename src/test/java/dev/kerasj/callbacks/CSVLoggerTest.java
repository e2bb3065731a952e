package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSVLogger against files written by Keras 3.15.1's {@code keras.callbacks.CSVLogger} (Python 3.11, TensorFlow
 * backend), its hooks called directly with the same logs: every expected file content below that is built from
 * fabricated logs (goldens, validation keys, quoting) is what Keras wrote for those logs.
 */
class CSVLoggerTest {
  /** Keras 3.15.1: epochs 0 and 1 of {@link #kerasEpoch0()} and {@link #kerasEpoch1()}, default options. */
  private static final String KERAS_GOLDEN = "epoch,accuracy,loss,mae,val_accuracy,val_loss,val_mae\r\n"
      + "0,0.25,0.5,1e-05,NA,NA,NA\r\n"
      + "1,1e+16,0.10000000149011612,123.0,NA,NA,NA\r\n";

  /** Keras 3.15.1: then {@code CSVLogger(f, separator=";", append=True)} with {@code {loss: 0.5, val_loss: nan}}. */
  private static final String KERAS_GOLDEN_APPENDED = KERAS_GOLDEN + "0;0.5;nan\r\n";

  @TempDir
  Path dir;

  private static Map<String, Double> kerasEpoch0() {
    return ordered("loss", 0.5, "accuracy", 0.25, "mae", 1e-5);
  }

  private static Map<String, Double> kerasEpoch1() {
    return ordered("loss", (double) 0.1f, "accuracy", 1e16, "mae", 123.0);
  }

  private static Map<String, Double> ordered(Object... keysAndValues) {
    Map<String, Double> logs = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      logs.put((String) keysAndValues[i], (Double) keysAndValues[i + 1]);
    }
    return logs;
  }

  private static void run(CSVLogger logger, List<Map<String, Double>> epochs) {
    logger.onTrainBegin(Map.of());
    for (int e = 0; e < epochs.size(); e++) {
      logger.onEpochEnd(e, epochs.get(e));
    }
    logger.onTrainEnd(Map.of());
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void csvLogger_writesKerasHeaderAndRowsByteForByte() throws IOException {
    Path file = dir.resolve("log.csv");

    run(new CSVLogger(file), List.of(kerasEpoch0(), kerasEpoch1()));

    assertEquals(KERAS_GOLDEN, read(file));
  }

  @Test
  void csvLogger_withValidationKeys_addsNoExtraColumns() throws IOException {
    Path file = dir.resolve("log.csv");

    run(new CSVLogger(file), List.of(ordered("val_loss", 0.25, "loss", 0.5), ordered("val_loss", 0.125)));

    assertEquals("epoch,loss,val_loss\r\n0,0.5,0.25\r\n1,NA,0.125\r\n", read(file));
  }

  @Test
  void append_toNonEmptyFile_addsRowsWithoutSecondHeader() throws IOException {
    Path file = dir.resolve("log.csv");
    run(new CSVLogger(file), List.of(kerasEpoch0(), kerasEpoch1()));

    run(new CSVLogger(file, ';', true), List.of(ordered("loss", 0.5, "val_loss", Double.NaN)));

    assertEquals(KERAS_GOLDEN_APPENDED, read(file));
  }

  @Test
  void append_toEmptyFile_writesHeader() throws IOException {
    Path file = Files.createFile(dir.resolve("log.csv"));

    run(new CSVLogger(file, ',', true), List.of(ordered("loss", 0.5, "val_loss", 0.25)));

    assertEquals("epoch,loss,val_loss\r\n0,0.5,0.25\r\n", read(file));
  }

  @Test
  void append_toMissingFile_createsItWithHeader() throws IOException {
    Path file = dir.resolve("new.csv");

    run(new CSVLogger(file, ',', true), List.of(ordered("loss", 0.5, "val_loss", 0.25)));

    assertEquals("epoch,loss,val_loss\r\n0,0.5,0.25\r\n", read(file));
  }

  @Test
  void overwrite_replacesExistingContent() throws IOException {
    Path file = Files.writeString(dir.resolve("log.csv"), "old,content\r\n0,1\r\n1,2\r\n2,3\r\n");

    run(new CSVLogger(file), List.of(ordered("loss", 0.5, "val_loss", 0.25)));

    assertEquals("epoch,loss,val_loss\r\n0,0.5,0.25\r\n", read(file));
  }

  @Test
  void eachRow_isFlushedBeforeTrainEnd() throws IOException {
    Path file = dir.resolve("log.csv");
    CSVLogger logger = new CSVLogger(file);
    logger.onTrainBegin(Map.of());

    logger.onEpochEnd(0, ordered("loss", 0.5, "val_loss", 0.25));

    try {
      assertEquals("epoch,loss,val_loss\r\n0,0.5,0.25\r\n", read(file));
    } finally {
      logger.onTrainEnd(Map.of());
    }
  }

  @Test
  void fieldHoldingSeparator_isQuotedLikePythonCsv() throws IOException {
    Path file = dir.resolve("log.csv");

    run(new CSVLogger(file, ';', false), List.of(ordered("a;b", 1.0, "val_\"q\"", 2.0)));

    assertEquals("epoch;\"a;b\";\"val_\"\"q\"\"\"\r\n0;1.0;2.0\r\n", read(file));
  }

  @Test
  void pathUnderRegularFile_throwsUncheckedIOExceptionNamingTheFile() throws IOException {
    Path regularFile = Files.writeString(dir.resolve("not-a-dir"), "x");
    Path file = regularFile.resolve("log.csv");
    CSVLogger logger = new CSVLogger(file);

    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> logger.onTrainBegin(Map.of()));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void pathUnderRegularFile_failsFit() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x").resolve("log.csv");
    float[][] x = TinyModels.inputs(8);
    try (Sequential model = TinyModels.linear(0.1)) {
      FitOptions options = FitOptions.builder().epochs(2).verbose(0).callbacks(new CSVLogger(file)).build();

      assertThrows(UncheckedIOException.class, () -> model.fit(x, TinyModels.line(x, 2f), options));
    }
  }

  @Test
  void csvLogger_duringFit_writesOneRowPerEpochWithHistoryValues() throws IOException {
    Path file = dir.resolve("fit.csv");
    float[][] x = TinyModels.inputs(16);
    float[][] xVal = TinyModels.inputs(5);
    try (Sequential model = TinyModels.linear(0.1, "mae")) {
      History h = model.fit(x, TinyModels.line(x, 2f), FitOptions.builder().epochs(3).batchSize(8)
          .seed(TinyModels.SEED).validationData(xVal, TinyModels.line(xVal, 2f)).verbose(0)
          .callbacks(new CSVLogger(file)).build());

      List<String> lines = List.of(read(file).split("\r\n", -1));
      assertEquals(5, lines.size(), "header, 3 rows and the empty tail after the last \\r\\n: " + lines);
      assertEquals("epoch,loss,mae,val_loss,val_mae", lines.get(0));
      for (int epoch = 0; epoch < 3; epoch++) {
        String[] cells = lines.get(epoch + 1).split(",");
        int e = epoch;
        assertAll("epoch " + epoch,
            () -> assertEquals(String.valueOf(e), cells[0]),
            () -> assertEquals(h.get("loss").get(e), Double.parseDouble(cells[1]), 0.0),
            () -> assertEquals(h.get("mae").get(e), Double.parseDouble(cells[2]), 0.0),
            () -> assertEquals(h.get("val_loss").get(e), Double.parseDouble(cells[3]), 0.0),
            () -> assertEquals(h.get("val_mae").get(e), Double.parseDouble(cells[4]), 0.0));
      }
    }
  }

  @Test
  void pythonRepr_matchesPythonForEdgeValues() {
    // Right: Python 3.11's repr() of the float on the left (checked via float.hex() that both are the same double).
    Object[][] cases = {
        {0.0, "0.0"}, {-0.0, "-0.0"}, {1.0, "1.0"}, {0.5, "0.5"}, {0.1, "0.1"},
        {(double) 0.1f, "0.10000000149011612"}, {1e-4, "0.0001"}, {1e-5, "1e-05"}, {1.5e-5, "1.5e-05"},
        {123456789.0, "123456789.0"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"}, {1.2345e16, "1.2345e+16"},
        {2.5e-300, "2.5e-300"}, {Double.MAX_VALUE, "1.7976931348623157e+308"}, {Double.MIN_VALUE, "5e-324"},
        {-3.25, "-3.25"}, {0.6931471805599453, "0.6931471805599453"}, {(double) 0.6931472f, "0.6931471824645996"},
        {2.0 / 3.0, "0.6666666666666666"}, {100.0, "100.0"}, {1e22, "1e+22"}, {1e23, "1e+23"},
        {Double.NaN, "nan"}, {Double.POSITIVE_INFINITY, "inf"}, {Double.NEGATIVE_INFINITY, "-inf"},
    };
    for (Object[] c : cases) {
      assertEquals(c[1], CSVLogger.pythonRepr((Double) c[0]), "repr of " + c[0]);
    }
  }

  @Test
  void separatorQuote_isRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CSVLogger(dir.resolve("log.csv"), '"', false));

    assertTrue(e.getMessage().contains("separator"), e.getMessage());
  }

  @Test
  void defaults_mirrorKeras() {
    CSVLogger logger = new CSVLogger(dir.resolve("log.csv"));

    assertEquals(',', logger.separator());
    assertEquals(false, logger.append());
  }
}
