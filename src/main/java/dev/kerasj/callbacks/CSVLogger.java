package dev.kerasj.callbacks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code CSVLogger}: streams each epoch's logs to a CSV file, byte for byte as Keras 3 writes it.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(10).callbacks(new CSVLogger(Path.of("training.csv"))).build());
 * }</pre>
 *
 * <p>On-disk format (UTF-8, Python {@code csv} "excel" dialect: {@code \r\n} line ends, a field holding the
 * separator, a quote or a line break is quoted with {@code "} and its quotes doubled):
 *
 * <pre>
 * epoch,accuracy,loss,val_accuracy,val_loss
 * 0,0.5625,0.6931471824645996,0.5,0.6925
 * 1,0.75,0.5123,NA,NA
 * </pre>
 *
 * <ul>
 *   <li>The header is {@code epoch} then the first epoch's log keys, sorted. As in Keras, when those keys hold no
 *       {@code val_} key, a {@code val_} column is added for each (so a later validated run fits the same
 *       columns).
 *   <li>One row per epoch: the 0-based epoch, then each value as Python's {@code repr} prints it ({@code 0.1},
 *       {@code 1e-05}, {@code 1e+16}, {@code 123.0}, {@code nan}, {@code inf}); {@code NA} where a key is absent.
 *   <li>The file is opened (truncated, unless appending) at train begin, the header is written with the first row,
 *       every row is flushed at once, and the file is closed at train end.
 *   <li>With {@code append}, rows go after the existing content and no header is written when the file is
 *       non-empty.
 * </ul>
 *
 * <p>A write failure throws {@link UncheckedIOException} naming the file, out of {@code fit}.
 */
public final class CSVLogger implements Callback {
  /** Keras' default {@code separator=","}. */
  public static final char DEFAULT_SEPARATOR = ',';
  /** Keras' default {@code append=False}: overwrite an existing file. */
  public static final boolean DEFAULT_APPEND = false;
  /** Written where an epoch's logs lack a column's key, as Keras does. */
  public static final String MISSING_VALUE = "NA";
  /** Line terminator of Python's {@code csv} "excel" dialect, which Keras uses. */
  public static final String LINE_TERMINATOR = "\r\n";

  private static final char QUOTE = '"';

  private final Path file;
  private final char separator;
  private final boolean append;
  private BufferedWriter writer;
  private List<String> keys;
  private boolean writeHeader;
  private boolean headerDone;
  /** File length when this run opened it, and the text this run wrote since: the file a backup restores. */
  private long initialLength;
  private final StringBuilder written = new StringBuilder();

  /** Logs to {@code file} with Keras' defaults: comma separated, overwriting an existing file. */
  public CSVLogger(Path file) {
    this(file, DEFAULT_SEPARATOR, DEFAULT_APPEND);
  }

  /**
   * Logs to {@code file}.
   *
   * @param separator the field separator (Keras' {@code separator})
   * @param append true to add rows to an existing file (to continue a run), false to overwrite it
   */
  public CSVLogger(Path file, char separator, boolean append) {
    if (file == null) {
      throw new IllegalArgumentException("Expected a CSV file path. Received: file=null");
    }
    if (separator == QUOTE || separator == '\r' || separator == '\n') {
      throw new IllegalArgumentException(
          "Expected a separator other than a quote or a line break. Received: separator='"
              + (separator == QUOTE ? "\"" : separator == '\r' ? "\\r" : "\\n") + "'");
    }
    this.file = file;
    this.separator = separator;
    this.append = append;
  }

  /** The file written to. */
  public Path file() {
    return file;
  }

  /** The field separator. */
  public char separator() {
    return separator;
  }

  /** Whether rows are appended to an existing file. */
  public boolean append() {
    return append;
  }

  /**
   * Opens the file: truncates it, or in append mode opens it at its end.
   *
   * @throws UncheckedIOException naming the file when it cannot be opened
   */
  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    closeWriter();
    keys = null;
    headerDone = false;
    try {
      writeHeader = !(append && Files.exists(file) && Files.size(file) > 0);
      OpenOption[] options = append
          ? new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND}
          : new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING};
      writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, options);
      initialLength = Files.size(file);
      written.setLength(0);
    } catch (IOException e) {
      throw failure("open", e);
    }
  }

  /** The rows this run wrote and the file length before them, so a resumed run's file equals an uninterrupted one's. */
  @Override
  public Map<String, Object> backupState() {
    Map<String, Object> st = new java.util.LinkedHashMap<>();
    st.put("initial_length", initialLength);
    st.put("written", written.toString());
    st.put("keys", keys);
    st.put("write_header", writeHeader);
    st.put("header_done", headerDone);
    return st;
  }

  /**
   * Rewrites the file as it was at the backup: its first {@code initial_length} bytes (what preceded the run), then
   * the rows written up to the backup; rows a killed run wrote after the backup are dropped, as they are rewritten.
   */
  @Override
  @SuppressWarnings("unchecked")
  public void restoreBackupState(Map<String, Object> st) {
    closeWriter();
    long length = ((Number) st.get("initial_length")).longValue();
    String text = (String) st.get("written");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      if (ch.size() < length) {
        throw new IOException("the file is shorter (" + ch.size() + " bytes) than when the backed-up run began ("
            + length + " bytes)");
      }
      ch.truncate(length);
      ch.position(length);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
      writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw failure("restore from the backup", e);
    }
    initialLength = length;
    written.setLength(0);
    written.append(text);
    keys = st.get("keys") == null ? null : new ArrayList<>((List<String>) st.get("keys"));
    writeHeader = (Boolean) st.get("write_header");
    headerDone = (Boolean) st.get("header_done");
  }

  /**
   * Writes the epoch's row (and the header before the first row), then flushes.
   *
   * @throws IllegalStateException when called before {@link #onTrainBegin} or after {@link #onTrainEnd}
   * @throws UncheckedIOException naming the file when the row cannot be written
   */
  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    if (writer == null) {
      throw new IllegalStateException("CSVLogger for " + file + " is not open: onTrainBegin must run first");
    }
    Map<String, Double> values = logs == null ? Map.of() : logs;
    if (keys == null) {
      keys = columns(values);
    }
    StringBuilder text = new StringBuilder();
    if (writeHeader && !headerDone) {
      List<String> header = new ArrayList<>();
      header.add("epoch");
      header.addAll(keys);
      appendRow(text, header);
    }
    List<String> row = new ArrayList<>();
    row.add(Integer.toString(epoch));
    for (String key : keys) {
      Double v = values.get(key);
      row.add(v == null ? MISSING_VALUE : pythonRepr(v));
    }
    appendRow(text, row);
    try {
      writer.write(text.toString());
      writer.flush();
      written.append(text);
    } catch (IOException e) {
      throw failure("write to", e);
    }
    headerDone = true;
  }

  /**
   * Closes the file.
   *
   * @throws UncheckedIOException naming the file when closing fails (buffered rows could not be written)
   */
  @Override
  public void onTrainEnd(Map<String, Double> logs) {
    closeWriter();
  }

  private void closeWriter() {
    BufferedWriter w = writer;
    writer = null;
    if (w != null) {
      try {
        w.close();
      } catch (IOException e) {
        throw failure("close", e);
      }
    }
  }

  /** Keras' columns: the sorted keys, plus a {@code val_} twin of each when none is a {@code val_} key. */
  private static List<String> columns(Map<String, Double> logs) {
    List<String> sorted = new ArrayList<>(logs.keySet());
    sorted.sort(null);
    if (!sorted.isEmpty() && sorted.stream().noneMatch(k -> k.startsWith("val_"))) {
      List<String> withVal = new ArrayList<>(sorted);
      sorted.forEach(k -> withVal.add("val_" + k));
      return withVal;
    }
    return sorted;
  }

  private void appendRow(StringBuilder out, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(separator);
      }
      out.append(quoted(fields.get(i)));
    }
    out.append(LINE_TERMINATOR);
  }

  /** Python csv's QUOTE_MINIMAL. */
  private String quoted(String field) {
    boolean needsQuotes = field.indexOf(separator) >= 0 || field.indexOf(QUOTE) >= 0
        || field.indexOf('\r') >= 0 || field.indexOf('\n') >= 0;
    if (!needsQuotes) {
      return field;
    }
    return QUOTE + field.replace("\"", "\"\"") + QUOTE;
  }

  private UncheckedIOException failure(String action, IOException e) {
    return new UncheckedIOException("CSVLogger could not " + action + " its file " + file + ": " + e
        + ". Check that the parent directory exists and is writable, or pass another path", e);
  }

  /**
   * The text Python's {@code repr(float)} gives: the shortest digits that read back as {@code v}, fixed-point for
   * decimal exponents in [-4, 16) with at least one fraction digit, otherwise {@code d.ddde±XX}.
   */
  static String pythonRepr(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String sign = (v < 0 || (v == 0 && 1 / v < 0)) ? "-" : "";
    if (v == 0) {
      return sign + "0.0";
    }
    BigDecimal shortest = shortestRoundTrip(Math.abs(v));
    String digits = shortest.unscaledValue().toString();
    int decimalPoint = digits.length() - shortest.scale();
    if (decimalPoint > -4 && decimalPoint <= 16) {
      return sign + fixed(digits, decimalPoint);
    }
    int exponent = decimalPoint - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
  }

  private static BigDecimal shortestRoundTrip(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int precision = 1; precision < 17; precision++) {
      BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == v) {
        return candidate.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  private static String fixed(String digits, int decimalPoint) {
    if (decimalPoint <= 0) {
      return "0." + "0".repeat(-decimalPoint) + digits;
    }
    if (decimalPoint >= digits.length()) {
      return digits + "0".repeat(decimalPoint - digits.length()) + ".0";
    }
    return digits.substring(0, decimalPoint) + "." + digits.substring(decimalPoint);
  }
}
