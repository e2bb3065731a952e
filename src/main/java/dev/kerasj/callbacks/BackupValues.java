package dev.kerasj.callbacks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

/** Conversions between callbacks' fields and the JSON values a backup stores (NaN and infinities included). */
final class BackupValues {
  private BackupValues() {}

  /** A double from a JSON value: a number, or the strings Jackson writes for NaN and infinities. */
  static double toDouble(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      return switch (s) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new IllegalArgumentException("Expected a number in the backup. Received: \"" + s + "\"");
      };
    }
    throw new IllegalArgumentException("Expected a number in the backup. Received: " + v);
  }

  /** Weights as shape + base64 of their little-endian float32 bytes (bit-exact). */
  static List<Object> encodeWeights(List<FloatNdArray> weights) {
    List<Object> out = new ArrayList<>();
    for (FloatNdArray w : weights) {
      int n = Math.toIntExact(w.size());
      float[] values = new float[n];
      w.copyTo(DataBuffers.of(values, false, false));
      ByteBuffer bytes = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(values);
      Map<String, Object> m = new LinkedHashMap<>();
      List<Long> shape = new ArrayList<>();
      for (long d : w.shape().asArray()) {
        shape.add(d);
      }
      m.put("shape", shape);
      m.put("float32_le_base64", Base64.getEncoder().encodeToString(bytes.array()));
      out.add(m);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<FloatNdArray> decodeWeights(Object encoded) {
    List<FloatNdArray> out = new ArrayList<>();
    for (Object o : (List<Object>) encoded) {
      Map<String, Object> m = (Map<String, Object>) o;
      long[] shape = ((List<Object>) m.get("shape")).stream().mapToLong(d -> ((Number) d).longValue()).toArray();
      byte[] bytes = Base64.getDecoder().decode((String) m.get("float32_le_base64"));
      float[] values = new float[bytes.length / 4];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      out.add(NdArrays.wrap(Shape.of(shape), DataBuffers.of(values, false, false)));
    }
    return out;
  }
}
