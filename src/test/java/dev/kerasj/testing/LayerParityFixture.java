package dev.kerasj.testing;

import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * One case of a layer-parity fixture directory ({@code testdata/sequence}, {@code testdata/attention},
 * {@code testdata/rnn}): the TF tensor bundle {@code <dir>/<case>} that python-interop/make_*_fixtures.py wrote,
 * with the training and validation data, epochs, batch size, Keras' initial and final weights by path, and Keras'
 * predictions, history and evaluation.
 */
public record LayerParityFixture(TensorBundle bundle, HostArray x, HostArray y, HostArray xVal, HostArray yVal,
    int epochs, int batchSize) {

  /** Reads {@code x}/{@code x_val} as {@code xType}, {@code y}/{@code y_val} as {@code yType}, and the meta ints. */
  public static LayerParityFixture load(Path dir, String name, Class<? extends TType> xType,
      Class<? extends TType> yType) {
    TensorBundle b = new TensorBundle(dir.resolve(name));
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    want.put("x", xType);
    want.put("y", yType);
    want.put("x_val", xType);
    want.put("y_val", yType);
    want.put("meta/epochs", TInt32.class);
    want.put("meta/batch_size", TInt32.class);
    Map<String, HostArray> t = b.read(want);
    return new LayerParityFixture(b, t.get("x"), t.get("y"), t.get("x_val"), t.get("y_val"),
        t.get("meta/epochs").ints()[0], t.get("meta/batch_size").ints()[0]);
  }

  /** Keras' weights of {@code stage} ("initial" or "final") for {@code ws}, keyed by weight path. */
  public Map<String, Object> weights(String stage, List<Weight> ws) {
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    ws.forEach(w -> want.put(stage + "/" + w.path(), TFloat32.class));
    Map<String, Object> out = new LinkedHashMap<>();
    bundle.read(want).forEach((k, v) -> out.put(k.substring(stage.length() + 1), v));
    return out;
  }

  /** Keras' predictions for {@code x_val}. */
  public float[] kerasPredictions() {
    return bundle.read("predict", TFloat32.class).floats();
  }
}
