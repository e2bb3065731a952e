package dev.kerasj.saving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.LayerContext;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.ScaledDense;
import dev.kerasj.testing.ScaledMeanAbsoluteError;
import dev.kerasj.testing.ScaledMeanSquaredError;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;

/**
 * The custom-object registry: one class per registered name and one name per class, Keras' {@code "package>name"}
 * form, and the errors a file gives when it needs a class nobody registered. Tests that change a registration use
 * their own names and undo them; ScaledDense stays registered for the other tests of the JVM.
 */
class CustomObjectsTest {
  static final Path KERAS_FILE = Path.of("testdata", "custom", "scaled_dense.keras");

  /** A second layer class for the conflict tests. */
  static final class OtherLayer extends ScaledDenseLike {
    OtherLayer(String name) {
      super(name);
    }
  }

  /** A minimal registrable layer (identity), so that these tests never touch ScaledDense's registration. */
  static class ScaledDenseLike extends Layer implements KerasSerializable {
    ScaledDenseLike(String name) {
      super(name, null);
    }

    @Override
    public Map<String, Object> getConfig() {
      return Map.of();
    }

    @Override
    public String className() {
      return "ScaledDenseLike";
    }

    @Override
    public String defaultNamePrefix() {
      return "scaled_dense_like";
    }

    @Override
    public long[] computeOutputShape(long[] inputShape) {
      return inputShape;
    }

    @Override
    public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
      return inputs;
    }
  }

  @Test
  void register_sameClassTwiceUnderItsName_isANoOp() {
    ScaledDense.register();
    CustomObjects.Registration first = CustomObjects.forName(ScaledDense.REGISTERED_NAME);
    ScaledDense.register();
    assertSame(first, CustomObjects.forName(ScaledDense.REGISTERED_NAME));
    assertEquals("kerasj_test", first.packageName());
    assertEquals("ScaledDense", first.name());
    assertSame(first, CustomObjects.forClass(ScaledDense.class));
  }

  @Test
  void register_aSecondClassUnderATakenName_isRefused() {
    ScaledDense.register();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CustomObjects.register("kerasj_test", "ScaledDense", OtherLayer.class, c -> new OtherLayer(null)));
    assertTrue(e.getMessage().contains("'kerasj_test>ScaledDense' is already registered to "
        + ScaledDense.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("Received: type=" + OtherLayer.class.getName()), e.getMessage());
    assertSame(ScaledDense.class, CustomObjects.forName(ScaledDense.REGISTERED_NAME).type());
  }

  @Test
  void register_aClassUnderASecondName_isRefused() {
    CustomObjects.register("conflict_test", "Other", OtherLayer.class, c -> new OtherLayer(null));
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> CustomObjects.register("conflict_test", "Renamed", OtherLayer.class, c -> new OtherLayer(null)));
      assertTrue(e.getMessage().contains("already registered as 'conflict_test>Other'"), e.getMessage());
      assertEquals(null, CustomObjects.forName("conflict_test>Renamed"));
    } finally {
      assertTrue(CustomObjects.unregister("conflict_test>Other"));
    }
  }

  @Test
  void register_badNamesAndTypes_areRefusedNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CustomObjects.register("a>b", "X", OtherLayer.class, c -> new OtherLayer(null)));
    assertTrue(e.getMessage().contains("Received: packageName='a>b'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> CustomObjects.register("pkg", "", OtherLayer.class, c -> new OtherLayer(null)));
    assertTrue(e.getMessage().contains("Received: name=''"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> CustomObjects.register("pkg", "Config", NotALayer.class, c -> new NotALayer()));
    assertTrue(e.getMessage().contains("Received: type=" + NotALayer.class.getName()), e.getMessage());
  }

  static final class NotALayer implements KerasSerializable {
    @Override
    public Map<String, Object> getConfig() {
      return Map.of();
    }
  }

  @Test
  void load_ofAFileNamingAnUnregisteredLayer_failsNamingItAndHowToRegister() throws Exception {
    ScaledDense.register();
    ScaledMeanSquaredError.register();
    ScaledMeanAbsoluteError.register();
    assertTrue(CustomObjects.unregister(ScaledDense.REGISTERED_NAME));
    try {
      IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.load(KERAS_FILE));
      assertTrue(e.getMessage().contains("the file needs the custom layer 'kerasj_test>ScaledDense', and no Java "
          + "class is registered under that name"), e.getMessage());
      assertTrue(e.getMessage().contains("CustomObjects.register(\"kerasj_test\", \"ScaledDense\", ScaledDense.class,"
          + " ScaledDense::fromConfig)"), e.getMessage());
    } finally {
      ScaledDense.register();
    }
  }

  @Test
  void load_ofAFileNamingAnUnregisteredLoss_failsNamingIt() throws Exception {
    ScaledDense.register();
    ScaledMeanSquaredError.register();
    ScaledMeanAbsoluteError.register();
    assertTrue(CustomObjects.unregister(ScaledMeanSquaredError.REGISTERED_NAME));
    try {
      IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.load(KERAS_FILE));
      assertTrue(e.getMessage().contains("the custom loss 'kerasj_test>ScaledMeanSquaredError'"), e.getMessage());
    } finally {
      ScaledMeanSquaredError.register();
    }
  }

  @Test
  void load_ofAFileNamingAnUnregisteredMetric_failsNamingIt() throws Exception {
    ScaledDense.register();
    ScaledMeanSquaredError.register();
    ScaledMeanAbsoluteError.register();
    assertTrue(CustomObjects.unregister(ScaledMeanAbsoluteError.REGISTERED_NAME));
    try {
      IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.load(KERAS_FILE));
      assertTrue(e.getMessage().contains("the custom metric 'kerasj_test>ScaledMeanAbsoluteError'"), e.getMessage());
    } finally {
      ScaledMeanAbsoluteError.register();
    }
  }

  @Test
  void save_ofAnUnregisteredCustomLayer_failsSayingHowToRegister(@TempDir Path tmp) {
    try (Sequential model = new Sequential(Input.of(4), new ScaledDenseLike(null))) {
      model.compile(new SGD(0.1), "mse");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.save(tmp.resolve("m.keras")));
      assertTrue(e.getMessage().contains("it is neither a built-in layer nor registered"), e.getMessage());
      assertTrue(e.getMessage().contains("CustomObjects.register(\"my_package\", \"ScaledDenseLike\""),
          e.getMessage());
    }
  }
}
