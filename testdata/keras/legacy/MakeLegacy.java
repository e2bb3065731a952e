import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.losses.MeanSquaredError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tensorflow.ndarray.FloatNdArray;

/** Written with kerasj at commit efbb862 (the last release that addressed .weights.h5 layers by name). */
public class MakeLegacy {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    SplittableRandom r = new SplittableRandom(12);
    float[][] xs = new float[32][3];
    float[][] ys = new float[32][2];
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 3; j++) xs[i][j] = (float) r.nextGaussian();
      for (int j = 0; j < 2; j++) ys[i][j] = (float) r.nextGaussian();
    }
    try (Sequential model = new Sequential(Input.of(3), Dense.builder(4).activation("relu").name("encoder").build(),
        new BatchNormalization(0.9, 1e-3, "norm"), Dense.builder(2).name("head").build())) {
      model.setSeed(5);
      model.compile(new SGD(0.05), new MeanSquaredError());
      model.fit(xs, ys, FitOptions.builder().epochs(2).batchSize(8).shuffle(false).verbose(0).build());
      model.saveWeights(out.resolve("custom_names.weights.h5"));
      model.save(out.resolve("custom_names.keras"));
      float[][] x = java.util.Arrays.copyOf(xs, 4);
      FloatNdArray p = model.predict(x);
      StringBuilder sb = new StringBuilder("{\n  \"written_by\": \"kerasj at commit efbb862 (MakeLegacy.java in testdata/keras/legacy/README.md)\",\n  \"x\": [");
      for (int i = 0; i < x.length; i++) {
        sb.append(i == 0 ? "" : ", ").append("[");
        for (int j = 0; j < 3; j++) sb.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.9g", x[i][j]));
        sb.append("]");
      }
      sb.append("],\n  \"predict\": [");
      for (int i = 0; i < x.length; i++) {
        sb.append(i == 0 ? "" : ", ").append("[");
        for (int j = 0; j < 2; j++) sb.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.9g", p.getFloat(i, j)));
        sb.append("]");
      }
      sb.append("]\n}\n");
      Files.writeString(out.resolve("custom_names.expected.json"), sb.toString());
    }
  }
}
