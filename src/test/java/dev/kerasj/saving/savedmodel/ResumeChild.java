package dev.kerasj.saving.savedmodel;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The second half of {@link SavedModelResumeTest}, run in a fresh JVM: loads the SavedModel, trains from the saved
 * epoch to {@code epochs} and writes every variable to a file for the parent to compare.
 *
 * <p>Usage: {@code ResumeChild <case> <savedModelDir> <epochs> <outFile>}
 */
public final class ResumeChild {
  private ResumeChild() {}

  public static void main(String[] args) throws IOException {
    ModelCases c = ModelCases.valueOf(args[0]);
    Path dir = Path.of(args[1]);
    int epochs = Integer.parseInt(args[2]);
    try (Sequential model = Sequential.load(dir)) {
      int done = SavedModelLoader.readTrainingState(dir).epoch();
      c.fit(model, done, epochs);
      writeVariables(ModelCases.variables(model), Path.of(args[3]));
    }
  }

  /** count, then per variable: name, isFloat, length, values. */
  static void writeVariables(Map<String, HostArray> vars, Path out) throws IOException {
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(out))) {
      o.writeInt(vars.size());
      for (Map.Entry<String, HostArray> e : vars.entrySet()) {
        HostArray a = e.getValue();
        o.writeUTF(e.getKey());
        o.writeInt(a.shape().length);
        for (long d : a.shape()) {
          o.writeLong(d);
        }
        o.writeBoolean(a.isFloat());
        if (a.isFloat()) {
          float[] f = a.floats();
          o.writeInt(f.length);
          for (float v : f) {
            o.writeInt(Float.floatToRawIntBits(v));
          }
        } else {
          int[] i = a.ints();
          o.writeInt(i.length);
          for (int v : i) {
            o.writeInt(v);
          }
        }
      }
    }
  }

  static Map<String, HostArray> readVariables(Path in) throws IOException {
    Map<String, HostArray> out = new java.util.LinkedHashMap<>();
    try (java.io.DataInputStream s = new java.io.DataInputStream(Files.newInputStream(in))) {
      int n = s.readInt();
      for (int k = 0; k < n; k++) {
        String name = s.readUTF();
        long[] shape = new long[s.readInt()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = s.readLong();
        }
        boolean isFloat = s.readBoolean();
        int len = s.readInt();
        if (isFloat) {
          float[] f = new float[len];
          for (int i = 0; i < len; i++) {
            f[i] = Float.intBitsToFloat(s.readInt());
          }
          out.put(name, HostArray.ofFloats(shape, f));
        } else {
          int[] v = new int[len];
          for (int i = 0; i < len; i++) {
            v[i] = s.readInt();
          }
          out.put(name, HostArray.ofInts(shape, v));
        }
      }
    }
    return out;
  }
}
