package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.saving.IncompatibleCheckpointException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A readable checkpoint from another model is refused with every difference listed, and nothing is written. */
class TfCheckpointIncompatibleTest {
  @TempDir Path dir;

  private IncompatibleCheckpointException assertIncompatible(Supplier<Sequential> target, Path prefix) {
    try (Sequential m = target.get()) {
      Map<String, HostArray> before = CheckpointTesting.allVariables(m);
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> TfCheckpoint.restore(m, prefix));
      assertTrue(e.getMessage().contains(CheckpointFiles.index(prefix).toString()), e.getMessage());
      CheckpointTesting.assertSameValues(before, CheckpointTesting.allVariables(m));
      return e;
    }
  }

  @Test
  void restore_otherArchitecture_listsWrongShapesMissingAndUnexpected() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(1, 1)) {
      TfCheckpoint.write(m, dir.resolve("ckpt"));
    }
    IncompatibleCheckpointException e = assertIncompatible(() -> {
      Sequential other = new Sequential(Input.of(64), new Dense(16, "relu"), new Dense(10, "relu"),
          new Dense(10, "softmax"));
      other.compile(new Adam(1e-3), new SparseCategoricalCrossentropy());
      return other;
    }, dir.resolve("ckpt"));
    String message = e.getMessage();
    assertTrue(e.mismatched().stream().anyMatch(s -> s.startsWith("dense/kernel at model/_functional/_operations/1"
        + "/_kernel: model has float32[64, 16], checkpoint has float32[64, 32]")), message);
    assertTrue(e.missing().stream().anyMatch(s -> s.startsWith("dense_2/kernel [10, 10] at "
        + "model/_functional/_operations/3/_kernel")), message);
    assertTrue(e.matched().contains("adam/iterations"), message);
    assertTrue(message.contains("missing from the checkpoint") && message.contains("wrong shape or dtype")
        && message.contains("matched") && message.contains("Nothing was restored"), message);
  }

  @Test
  void restore_fewerLayersThanCheckpoint_listsUnexpectedKeys() throws Exception {
    try (Sequential m = new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "relu"),
        new Dense(10, "softmax"))) {
      m.build();
      TfCheckpoint.write(m, dir.resolve("ckpt"));
    }
    IncompatibleCheckpointException e = assertIncompatible(() -> CASES.get("layout_mlp_uncompiled").build(1),
        dir.resolve("ckpt"));
    assertEquals(2, e.unexpected().size(), e.getMessage());
    assertTrue(e.unexpected().get(0).startsWith("model/_functional/_operations/3/_kernel/.ATTRIBUTES/VARIABLE_VALUE"
        + " (sequential/dense_2/kernel) float32[10, 10]"), e.getMessage());
    assertTrue(e.missing().isEmpty() && e.mismatched().isEmpty(), e.getMessage());
  }

  @Test
  void restore_otherOptimizerClass_isRefused() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(1, 1)) {
      TfCheckpoint.write(m, dir.resolve("ckpt"));
    }
    IncompatibleCheckpointException e = assertIncompatible(() -> {
      Sequential sgd = new Sequential(CheckpointTesting.mlp());
      sgd.compile(new SGD(0.05, 0.9, false), new SparseCategoricalCrossentropy());
      return sgd;
    }, dir.resolve("ckpt"));
    assertTrue(!e.mismatched().isEmpty() || !e.missing().isEmpty(), e.getMessage());
  }

  @Test
  void restore_weightsOnlyCheckpointIntoCompiledModel_isRefusedWithFix() throws Exception {
    try (Sequential m = CASES.get("layout_mlp_uncompiled").build(1)) {
      TfCheckpoint.write(m, dir.resolve("weights"));
    }
    IncompatibleCheckpointException e = assertIncompatible(() -> CASES.get("mlp_adam").build(2),
        dir.resolve("weights"));
    assertTrue(e.missing().stream().allMatch(s -> s.startsWith("adam/")), e.getMessage());
    assertTrue(e.getMessage().contains("build() the model, restore, then compile"), e.getMessage());
  }

  @Test
  void restore_weightsOnlyCheckpoint_thenCompile_works() throws Exception {
    try (Sequential m = CASES.get("layout_mlp_uncompiled").build(1);
        Sequential target = new Sequential(CheckpointTesting.mlp())) {
      TfCheckpoint.write(m, dir.resolve("weights"));
      target.build();
      TfCheckpoint.restore(target, dir.resolve("weights"));
      target.compile(new Adam(1e-3), new SparseCategoricalCrossentropy());
      assertEquals(CheckpointTesting.allVariables(m).get("dense/kernel").floats()[5],
          CheckpointTesting.allVariables(target).get("dense/kernel").floats()[5]);
    }
  }

  @Test
  void restore_nameBasedBundle_isRefusedAsNotObjectBased() {
    Path plainBundle = Path.of("testdata", "fixtures", "mlp_adam_sparse").toAbsolutePath();
    IncompatibleCheckpointException e = assertIncompatible(() -> CASES.get("mlp_adam").build(1), plainBundle);
    assertTrue(e.getMessage().contains("name-based"), e.getMessage());
  }
}
