package dev.kerasj.callbacks;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code ModelCheckpoint} file path template in Python's {@code str.format} syntax, such as
 * {@code ckpt/epoch_{epoch:02d}-val_loss_{val_loss:.2f}}: fields are {@code {name}} or {@code {name:spec}}, where
 * {@code spec} follows Python's format-spec mini-language ({@code [[fill]align][sign][0][width][,][.precision][type]},
 * types {@code d f F e E g G %}); {@code {{}} and {@code }}} are literal braces.
 *
 * <p>The template is parsed and every spec validated when it is created; {@link #format} produces exactly what
 * Python would, including the correctly rounded digits of {@code .2f} and the shortest repr of an unformatted float.
 */
final class FilepathTemplate {
  private static final Pattern SPEC = Pattern.compile(
      "^(?:(?<fill>.)?(?<align>[<>=^]))?(?<sign>[+\\- ])?(?<zero>0)?(?<width>\\d+)?(?<group>[,_])?"
          + "(?:\\.(?<precision>\\d+))?(?<type>[dfFeEgGs%])?$");

  /** The longest file name most file systems take (ext4, XFS, NTFS, APFS): also the widest width or precision. */
  static final int MAX_NAME_LENGTH = 255;
  /** The longest path Linux takes ({@code PATH_MAX}). */
  static final int MAX_PATH_LENGTH = 4096;

  /** One literal piece or field of the template. */
  private record Part(String literal, String field, String spec) {}

  private final String template;
  private final List<Part> parts;

  FilepathTemplate(String template) {
    this.template = template;
    this.parts = parse(template);
  }

  String template() {
    return template;
  }

  /** Field names used, in order of first use. */
  Set<String> fields() {
    Set<String> out = new LinkedHashSet<>();
    for (Part p : parts) {
      if (p.field() != null) {
        out.add(p.field());
      }
    }
    return out;
  }

  /** Whether the template has no fields (every save writes the same path). */
  boolean isConstant() {
    return fields().isEmpty();
  }

  /**
   * Fills the template.
   *
   * @param ints integer fields ({@code epoch}, {@code batch}: 1-based as in Keras)
   * @param floats log values
   */
  String format(Map<String, Long> ints, Map<String, Double> floats) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p.literal() != null) {
        sb.append(p.literal());
        continue;
      }
      if (ints.containsKey(p.field())) {
        sb.append(formatInt(ints.get(p.field()), p.spec(), p.field()));
      } else if (floats.containsKey(p.field())) {
        sb.append(formatFloat(floats.get(p.field()), p.spec(), p.field()));
      } else {
        Set<String> known = new LinkedHashSet<>(ints.keySet());
        known.addAll(floats.keySet());
        throw new IllegalArgumentException("Failed to format this callback filepath: \"" + template
            + "\". Reason: no value for field '{" + p.field() + "}'. Available: " + known);
      }
    }
    return sb.toString();
  }

  private static List<Part> parse(String t) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '{' && i + 1 < t.length() && t.charAt(i + 1) == '{') {
        literal.append('{');
        i++;
      } else if (c == '}' && i + 1 < t.length() && t.charAt(i + 1) == '}') {
        literal.append('}');
        i++;
      } else if (c == '}') {
        throw error(t, "single '}' at position " + i + " (write '}}' for a literal brace)");
      } else if (c == '{') {
        int end = t.indexOf('}', i);
        if (end < 0) {
          throw error(t, "unclosed '{' at position " + i);
        }
        String body = t.substring(i + 1, end);
        int colon = body.indexOf(':');
        String field = colon < 0 ? body : body.substring(0, colon);
        String spec = colon < 0 ? "" : body.substring(colon + 1);
        if (!field.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw error(t, "field '{" + body + "}' must be a name such as {epoch} or {val_loss:.2f}"
              + (field.isEmpty() ? " (positional fields are not supported)" : ""));
        }
        if (spec.contains("{")) {
          throw error(t, "nested fields in '{" + body + "}' are not supported");
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
          throw error(t, "invalid format spec '" + spec + "' in '{" + body + "}'");
        }
        for (String group : new String[] {"width", "precision"}) {
          String digits = m.group(group);
          if (digits != null && (digits.length() > 3 || Integer.parseInt(digits) > MAX_NAME_LENGTH)) {
            throw error(t, "the " + group + " " + digits + " in '{" + body + "}' is larger than a file name may be ("
                + MAX_NAME_LENGTH + " characters)");
          }
        }
        if (literal.length() > 0) {
          parts.add(new Part(literal.toString(), null, null));
          literal.setLength(0);
        }
        parts.add(new Part(null, field, spec));
        i = end;
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      parts.add(new Part(literal.toString(), null, null));
    }
    return parts;
  }

  /**
   * Formats the template with sample values, so that a template no save could use fails when it is given rather
   * than at the first save, after an epoch trained: {@code epoch} and {@code batch} as 1 and 2^31 - 1 (int specs
   * only), every other field as a log value, 0.123456789 and -1234567.891 (no int-only spec). Each result must be a
   * valid path of at most {@value #MAX_PATH_LENGTH} characters whose names have at most {@value #MAX_NAME_LENGTH}.
   *
   * @throws IllegalArgumentException naming the template and the problem
   */
  void validateWithSamples() {
    for (String field : fields()) {
      if (isIntField(field)) {
        checkIntField(field);
      } else {
        checkFloatField(field);
      }
    }
    long[] intSamples = {1, Integer.MAX_VALUE};
    double[] floatSamples = {0.123456789, -1234567.891};
    for (int s = 0; s < intSamples.length; s++) {
      Map<String, Long> ints = new java.util.HashMap<>();
      Map<String, Double> floats = new java.util.HashMap<>();
      for (String field : fields()) {
        if (isIntField(field)) {
          ints.put(field, intSamples[s]);
        } else {
          floats.put(field, floatSamples[s]);
        }
      }
      checkPath(format(ints, floats));
    }
  }

  /** {@code epoch} and {@code batch} are filled with ints, every other field with a log value. */
  static boolean isIntField(String field) {
    return field.equals("epoch") || field.equals("batch");
  }

  private void checkPath(String path) {
    if (path.length() > MAX_PATH_LENGTH) {
      throw error(template, "it formats to a path of " + path.length() + " characters, longer than the "
          + MAX_PATH_LENGTH + " a path may have");
    }
    for (String name : path.split("[/\\\\]")) {
      if (name.length() > MAX_NAME_LENGTH) {
        throw error(template, "it formats to a file name of " + name.length() + " characters, longer than the "
            + MAX_NAME_LENGTH + " a name may have: \"" + name.substring(0, 40) + "...\"");
      }
    }
    try {
      java.nio.file.Path.of(path);
    } catch (java.nio.file.InvalidPathException e) {
      throw error(template, "it formats to an invalid path: " + e.getMessage());
    }
  }

  /** Checks that a spec applies to an int field (Python rejects {@code .2d} and so on). */
  void checkIntField(String field) {
    for (Part p : parts) {
      if (field.equals(p.field())) {
        Matcher m = SPEC.matcher(p.spec());
        m.matches();
        if (m.group("precision") != null && (m.group("type") == null || "d".equals(m.group("type")))) {
          throw error(template, "precision not allowed for integer field '{" + field + ":" + p.spec() + "}'");
        }
      }
    }
  }

  /** Checks that a float field has no integer-only type (Python rejects {@code {val_loss:d}}). */
  void checkFloatField(String field) {
    for (Part p : parts) {
      if (field.equals(p.field())) {
        Matcher m = SPEC.matcher(p.spec());
        m.matches();
        if ("d".equals(m.group("type"))) {
          throw error(template, "Unknown format code 'd' for the float field '{" + field + ":" + p.spec()
              + "}' (use .2f, e, g ...)");
        }
      }
    }
  }

  private static IllegalArgumentException error(String template, String reason) {
    return new IllegalArgumentException(
        "Invalid ModelCheckpoint filepath template. Received: filepath=\"" + template + "\": " + reason);
  }

  private static String formatInt(long v, String spec, String field) {
    Matcher m = SPEC.matcher(spec);
    m.matches();
    String type = m.group("type");
    if (type != null && !type.equals("d") && !type.equals("s")) {
      return formatFloat((double) v, spec, field);
    }
    String digits = Long.toString(Math.abs(v));
    if (m.group("group") != null) {
      digits = group(digits, m.group("group").charAt(0));
    }
    return pad(sign(v < 0, m.group("sign")), digits, m, ">");
  }

  private static String formatFloat(double v, String spec, String field) {
    Matcher m = SPEC.matcher(spec);
    m.matches();
    String type = m.group("type");
    Integer precision = m.group("precision") == null ? null : Integer.parseInt(m.group("precision"));
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      String body = Double.isNaN(v) ? "nan" : "inf";
      if (type != null && Character.isUpperCase(type.charAt(0))) {
        body = body.toUpperCase(Locale.ROOT);
      }
      return pad(sign(v < 0, m.group("sign")), body, m, ">");
    }
    boolean negative = v < 0 || (v == 0 && 1 / v < 0);
    double a = Math.abs(v);
    String body;
    if (type == null || type.equals("s")) {
      body = precision == null ? CSVLogger.pythonRepr(a) : general(a, precision, false, true);
    } else {
      body = switch (type) {
        case "f", "F" -> fixed(a, precision == null ? 6 : precision);
        case "e", "E" -> exponent(a, precision == null ? 6 : precision, type.equals("E"));
        case "g", "G" -> general(a, precision == null ? 6 : precision, type.equals("G"), false);
        case "%" -> fixed(a * 100, precision == null ? 6 : precision) + "%";
        default -> throw new IllegalArgumentException("Unknown format code '" + type + "' for float field " + field);
      };
    }
    if (m.group("group") != null) {
      int dot = body.indexOf('.');
      String intPart = dot < 0 ? body : body.substring(0, dot);
      if (intPart.chars().allMatch(Character::isDigit)) {
        body = group(intPart, m.group("group").charAt(0)) + (dot < 0 ? "" : body.substring(dot));
      }
    }
    return pad(sign(negative, m.group("sign")), body, m, ">");
  }

  private static String fixed(double a, int precision) {
    return new BigDecimal(a).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String exponent(double a, int precision, boolean upper) {
    if (a == 0) {
      String zeros = precision > 0 ? "." + "0".repeat(precision) : "";
      return "0" + zeros + (upper ? "E+00" : "e+00");
    }
    BigDecimal r = new BigDecimal(a).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
    int exp = r.precision() - r.scale() - 1;
    BigDecimal mantissa = r.movePointLeft(exp).setScale(precision, RoundingMode.HALF_EVEN);
    String e = String.format(Locale.ROOT, "%s%02d", exp < 0 ? "-" : "+", Math.abs(exp));
    return mantissa.toPlainString() + (upper ? "E" : "e") + e;
  }

  /** Python's 'g' (and the no-type form with a precision, {@code repr}-like, when {@code noType}). */
  private static String general(double a, int precision, boolean upper, boolean noType) {
    int p = precision == 0 ? 1 : precision;
    if (a == 0) {
      return noType ? "0.0" : "0";
    }
    BigDecimal r = new BigDecimal(a).round(new MathContext(p, RoundingMode.HALF_EVEN));
    int exp = r.precision() - r.scale() - 1;
    String out;
    if (exp >= -4 && exp < (noType ? p - 1 : p)) {
      out = stripZeros(r.setScale(Math.max(0, p - 1 - exp), RoundingMode.HALF_EVEN).toPlainString());
      if (noType && !out.contains(".")) {
        out = out + ".0";
      }
    } else {
      String e = exponent(a, p - 1, upper);
      int at = e.indexOf(upper ? 'E' : 'e');
      out = stripZeros(e.substring(0, at)) + e.substring(at);
    }
    return out;
  }

  private static String stripZeros(String s) {
    if (!s.contains(".")) {
      return s;
    }
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String group(String digits, char sep) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0 && (digits.length() - i) % 3 == 0) {
        sb.append(sep);
      }
      sb.append(digits.charAt(i));
    }
    return sb.toString();
  }

  private static String sign(boolean negative, String signFlag) {
    if (negative) {
      return "-";
    }
    if ("+".equals(signFlag)) {
      return "+";
    }
    return " ".equals(signFlag) ? " " : "";
  }

  private static String pad(String sign, String body, Matcher m, String defaultAlign) {
    int width = m.group("width") == null ? 0 : Integer.parseInt(m.group("width"));
    String align = m.group("align");
    String fill = m.group("fill");
    if (align == null && m.group("zero") != null) {
      align = "=";
      fill = "0";
    }
    if (align == null) {
      align = defaultAlign;
    }
    if (fill == null) {
      fill = " ";
    }
    int missing = width - sign.length() - body.length();
    if (missing <= 0) {
      return sign + body;
    }
    return switch (align) {
      case "<" -> sign + body + fill.repeat(missing);
      case "^" -> fill.repeat(missing / 2) + sign + body + fill.repeat(missing - missing / 2);
      case "=" -> sign + fill.repeat(missing) + body;
      default -> fill.repeat(missing) + sign + body;
    };
  }
}
