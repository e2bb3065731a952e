package dev.kerasj;

import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Weight;
import java.util.Locale;

/** Formats {@link Model#summary()} like Keras 3's {@code model.summary()}. */
final class Summary {
  /** Keras' column widths; the first grows to fit long "name (Type)" cells instead of cutting them. */
  private static final int[] KERAS_WIDTHS = {33, 24, 15};

  static String format(Model model) {
    int first = KERAS_WIDTHS[0];
    for (Layer l : model.layers()) {
      first = Math.max(first, l.name().length() + l.className().length() + 5);
    }
    return new Summary(new int[] {first, KERAS_WIDTHS[1], KERAS_WIDTHS[2]}).render(model);
  }

  private final int[] widths;

  private Summary(int[] widths) {
    this.widths = widths;
  }

  private String render(Model model) {
    StringBuilder sb = new StringBuilder();
    sb.append("Model: \"").append(model.name()).append("\"\n");
    sb.append(line('┏', '┳', '┓', '━'));
    sb.append(row("Layer (type)", "Output Shape", "Param #"));
    sb.append(line('┡', '╇', '┩', '━'));
    long trainable = 0;
    long total = 0;
    var layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      sb.append(row(l.name() + " (" + l.className() + ")", Layer.formatShape(l.outputShape()),
          String.format(Locale.ROOT, "%,d", l.countParams())));
      if (i < layers.size() - 1) {
        sb.append(line('├', '┼', '┤', '─'));
      }
      for (Weight w : l.weights()) {
        total += w.size();
        trainable += w.trainable() ? w.size() : 0;
      }
    }
    sb.append(line('└', '┴', '┘', '─'));
    sb.append(String.format(Locale.ROOT, " Total params: %,d (%s)%n", total, bytes(total)));
    sb.append(String.format(Locale.ROOT, " Trainable params: %,d (%s)%n", trainable, bytes(trainable)));
    sb.append(String.format(Locale.ROOT, " Non-trainable params: %,d (%s)%n", total - trainable,
        bytes(total - trainable)));
    return sb.toString();
  }

  private String line(char left, char mid, char right, char fill) {
    StringBuilder sb = new StringBuilder().append(left);
    for (int i = 0; i < widths.length; i++) {
      sb.append(String.valueOf(fill).repeat(widths[i]));
      sb.append(i < widths.length - 1 ? mid : right);
    }
    return sb.append('\n').toString();
  }

  private String row(String a, String b, String c) {
    String sep = "│";
    return sep + " " + pad(a, widths[0] - 1) + sep + " " + pad(b, widths[1] - 1) + sep
        + String.format(Locale.ROOT, "%" + (widths[2] - 1) + "s ", c) + sep + "\n";
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
