package dev.kerasj;

import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import dev.kerasj.layers.Weight;
import java.util.Locale;

/**
 * Formats {@link Model#summary()} like Keras 3's {@code model.summary()}: for a Sequential model the layer, output
 * shape and parameter columns; for a Functional one also "Connected to", each inbound tensor as
 * {@code layer[node][tensor]}, wrapped over several lines when long, as Keras wraps it.
 */
final class Summary {
  /** Keras' column widths; the first grows to fit long "name (Type)" cells instead of cutting them. */
  private static final int[] KERAS_WIDTHS = {33, 24, 15};
  /** Keras' Functional widths (its 108-column line at positions 0.3, 0.56, 0.74, 1.0). */
  private static final int[] KERAS_FUNCTIONAL_WIDTHS = {32, 28, 19, 29};

  static String format(Model model) {
    boolean functional = !(model instanceof Sequential);
    int[] widths = (functional ? KERAS_FUNCTIONAL_WIDTHS : KERAS_WIDTHS).clone();
    for (Layer l : model.layers()) {
      widths[0] = Math.max(widths[0], l.name().length() + l.className().length() + 5);
    }
    return new Summary(widths).render(model, functional);
  }

  private final int[] widths;

  private Summary(int[] widths) {
    this.widths = widths;
  }

  private String render(Model model, boolean functional) {
    StringBuilder sb = new StringBuilder();
    sb.append("Model: \"").append(model.name()).append("\"\n");
    sb.append(line('┏', '┳', '┓', '━'));
    sb.append(functional ? row("Layer (type)", "Output Shape", "Param #", "Connected to")
        : row("Layer (type)", "Output Shape", "Param #"));
    sb.append(line('┡', '╇', '┩', '━'));
    Map<Layer, List<String>> connections = functional ? connections(model) : Map.of();
    var layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      String name = l.name() + " (" + l.className() + ")";
      // A layer of several outputs (returnState, returnAttentionScores): Keras prints the list of their shapes.
      String shape = l.outputCount() == 1 ? Layer.formatShape(l.outputShape())
          : l.computeOutputShapes(l.inputShapes()).stream().map(Layer::formatShape)
              .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
      String params = String.format(Locale.ROOT, "%,d", l.countParams());
      sb.append(functional ? row(name, shape, params, String.join(", ", connections.get(l))) : row(name, shape, params));
      if (i < layers.size() - 1) {
        sb.append(line('├', '┼', '┤', '─'));
      }
    }
    long total = 0;
    long trainable = 0;
    for (Weight w : model.weights()) {
      total += w.size();
      trainable += w.trainable() ? w.size() : 0;
    }
    sb.append(line('└', '┴', '┘', '─'));
    sb.append(String.format(Locale.ROOT, " Total params: %,d (%s)%n", total, bytes(total)));
    sb.append(String.format(Locale.ROOT, " Trainable params: %,d (%s)%n", trainable, bytes(trainable)));
    sb.append(String.format(Locale.ROOT, " Non-trainable params: %,d (%s)%n", total - trainable,
        bytes(total - trainable)));
    return sb.toString();
  }

  /** Each layer's inbound tensors as Keras prints them, {@code dense[0][0]}; {@code -} for an input. */
  private static Map<Layer, List<String>> connections(Model model) {
    Map<Layer, List<String>> out = new IdentityHashMap<>();
    model.layers().forEach(l -> out.put(l, new ArrayList<>()));
    for (KerasTensor node : model.topology().nodes()) {
      for (KerasTensor in : node.inputs()) {
        out.get(node.layer()).add(in.layer().name() + "[" + in.nodeIndex() + "][" + in.tensorIndex() + "]");
      }
    }
    out.values().forEach(v -> {
      if (v.isEmpty()) {
        v.add("-");
      }
    });
    return out;
  }

  private String line(char left, char mid, char right, char fill) {
    StringBuilder sb = new StringBuilder().append(left);
    for (int i = 0; i < widths.length; i++) {
      sb.append(String.valueOf(fill).repeat(widths[i]));
      sb.append(i < widths.length - 1 ? mid : right);
    }
    return sb.append('\n').toString();
  }

  /** One table row; the fourth cell (Connected to) wraps after a comma when it is wider than its column. */
  private String row(String... cells) {
    List<String> last = cells.length == 4 ? wrap(cells[3], widths[3] - 2, "(?<=,) ") : List.of();
    // A list of shapes (a layer of several outputs) wraps between shapes, as Keras' summary does.
    List<String> shapes = cells[1].startsWith("[") ? wrap(cells[1], widths[1] - 2, "(?<=\\),) ")
        : List.of(cells[1]);
    StringBuilder sb = new StringBuilder();
    for (int lineNo = 0; lineNo < Math.max(shapes.size(), Math.max(1, last.size())); lineNo++) {
      String sep = "│";
      boolean first = lineNo == 0;
      sb.append(sep).append(' ').append(pad(first ? cells[0] : "", widths[0] - 1)).append(sep).append(' ')
          .append(pad(lineNo < shapes.size() ? shapes.get(lineNo) : "", widths[1] - 1)).append(sep)
          .append(String.format(Locale.ROOT, "%" + (widths[2] - 1) + "s ", first ? cells[2] : "")).append(sep);
      if (cells.length == 4) {
        sb.append(' ').append(pad(lineNo < last.size() ? last.get(lineNo) : "", widths[3] - 1)).append(sep);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * Splits {@code text} at the spaces {@code separator} matches into lines of at most {@code width} characters (a
   * longer piece stays whole).
   */
  private static List<String> wrap(String text, int width, String separator) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String piece : text.split(separator)) {
      if (current.length() > 0 && current.length() + 1 + piece.length() > width) {
        lines.add(current.toString());
        current.setLength(0);
      }
      if (current.length() > 0) {
        current.append(' ');
      }
      current.append(piece);
    }
    lines.add(current.toString());
    return lines;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s.substring(0, width - 1) + " " : s + " ".repeat(width - s.length());
  }

  private static String bytes(long params) {
    double b = params * 4.0;
    if (b < 1024) {
      return String.format(Locale.ROOT, "%.0f B", b);
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.2f KB", b / 1024);
    }
    return String.format(Locale.ROOT, "%.2f MB", b / 1024 / 1024);
  }
}
