package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Java writes, Java restores: everything comes back bitwise, and training resumes exactly. */
class TfCheckpointRoundTripTest {
  static final long SEED = 20261128L;

  @Test
  void restore_intoFreshModel_givesBitwiseSameWeightsOptimizerStateAndPredictions(@TempDir Path dir)
      throws Exception {
    Object[] data = CheckpointTesting.randomData(SEED, 40);
    try (Sequential trained = CheckpointTesting.trainedMlp(SEED, 2);
        Sequential fresh = CASES.get("mlp_adam").build(SEED + 1)) {
      Map<String, HostArray> before = CheckpointTesting.allVariables(fresh);
      TfCheckpoint.write(trained, dir.resolve("ckpt"));
      assertNotEquals(before.get("dense/kernel").floats()[0], trained.getWeights().get(0).getFloat(0, 0));

      TfCheckpoint.restore(fresh, dir.resolve("ckpt"));

      CheckpointTesting.assertSameValues(CheckpointTesting.allVariables(trained),
          CheckpointTesting.allVariables(fresh));
      CheckpointTesting.assertSameValues(
          Map.of("p", KerasCheckpointFixturesTest.host(trained.predict(data[0]))),
          Map.of("p", KerasCheckpointFixturesTest.host(fresh.predict(data[0]))));
      assertEquals(6, CheckpointTesting.allVariables(fresh).get("adam/iterations").ints()[0],
          "2 epochs of 3 batches");
    }
  }

  @Test
  void resume_twoEpochsWriteRestoreOneMore_equalsThreeUninterruptedEpochsBitwise(@TempDir Path dir)
      throws Exception {
    Object[] data = CheckpointTesting.randomData(SEED, 40);
    FitOptions.Builder options = FitOptions.builder().batchSize(16).seed(SEED).shuffle(true).verbose(0);
    Map<String, HostArray> uninterrupted;
    try (Sequential m = CASES.get("mlp_adam").build(SEED)) {
      m.fit(data[0], data[1], options.epochs(3).build());
      uninterrupted = CheckpointTesting.allVariables(m);
    }
    try (Sequential first = CASES.get("mlp_adam").build(SEED)) {
      first.fit(data[0], data[1], options.epochs(2).build());
      TfCheckpoint.write(first, dir.resolve("ckpt-2"));
    }
    try (Sequential resumed = CASES.get("mlp_adam").build(SEED + 12345)) {
      TfCheckpoint.restore(resumed, dir);
      resumed.fit(data[0], data[1], options.epochs(3).initialEpoch(2).build());
      CheckpointTesting.assertSameValues(uninterrupted, CheckpointTesting.allVariables(resumed));
    }
  }

  @Test
  void resume_cnnWithBatchNormalizationAndSgdMomentum_equalsUninterruptedBitwise(@TempDir Path dir)
      throws Exception {
    java.util.Random r = new java.util.Random(SEED);
    float[][][][] x = new float[24][8][8][1];
    int[] y = new int[24];
    for (int i = 0; i < 24; i++) {
      for (int a = 0; a < 8; a++) {
        for (int b = 0; b < 8; b++) {
          x[i][a][b][0] = r.nextFloat();
        }
      }
      y[i] = r.nextInt(10);
    }
    FitOptions.Builder options = FitOptions.builder().batchSize(8).seed(SEED).verbose(0);
    Map<String, HostArray> uninterrupted;
    try (Sequential m = CASES.get("cnn_bn_sgd_momentum").build(SEED)) {
      m.fit(x, y, options.epochs(2).build());
      uninterrupted = CheckpointTesting.allVariables(m);
    }
    try (Sequential first = CASES.get("cnn_bn_sgd_momentum").build(SEED)) {
      first.fit(x, y, options.epochs(1).build());
      TfCheckpoint.write(first, dir.resolve("ckpt"));
    }
    try (Sequential resumed = CASES.get("cnn_bn_sgd_momentum").build(SEED + 1)) {
      TfCheckpoint.restore(resumed, dir.resolve("ckpt"));
      resumed.fit(x, y, options.epochs(2).initialEpoch(1).build());
      CheckpointTesting.assertSameValues(uninterrupted, CheckpointTesting.allVariables(resumed));
    }
  }

  @Test
  void write_uncompiledModel_restoresIntoUncompiledModel(@TempDir Path dir) throws Exception {
    try (Sequential a = CASES.get("layout_mlp_uncompiled").build(1);
        Sequential b = CASES.get("layout_mlp_uncompiled").build(2)) {
      TfCheckpoint.write(a, dir.resolve("w"));
      TfCheckpoint.restore(b, dir.resolve("w"));
      CheckpointTesting.assertSameValues(CheckpointTesting.allVariables(a), CheckpointTesting.allVariables(b));
    }
  }

  @Test
  void restore_compiledCheckpointIntoUncompiledModel_takesWeightsAndIgnoresOptimizerState(@TempDir Path dir)
      throws Exception {
    try (Sequential trained = CheckpointTesting.trainedMlp(SEED, 1);
        Sequential plain = CASES.get("layout_mlp_uncompiled").build(2)) {
      TfCheckpoint.write(trained, dir.resolve("ckpt"));
      TfCheckpoint.restore(plain, dir.resolve("ckpt"));
      CheckpointTesting.assertSameValues(
          Map.of("k", KerasCheckpointFixturesTest.host(trained.getWeights().get(2))),
          Map.of("k", KerasCheckpointFixturesTest.host(plain.getWeights().get(2))));
    }
  }

  @Test
  void write_twice_incrementsSaveCounterAndRecordsBothInStateFile(@TempDir Path dir) throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, dir.resolve("ckpt-1"));
      TfCheckpoint.write(m, dir.resolve("ckpt-2"));
    }
    HostArray counter = CheckpointTesting.readBundle(dir.resolve("ckpt-2"),
        Map.of("save_counter/.ATTRIBUTES/VARIABLE_VALUE", org.tensorflow.types.TInt64.class)).values().iterator()
        .next();
    assertEquals(2, counter.ints()[0]);
    CheckpointState state = CheckpointState.read(dir).orElseThrow();
    assertEquals("ckpt-2", state.modelCheckpointPath());
    assertEquals(java.util.List.of("ckpt-1", "ckpt-2"), state.allModelCheckpointPaths());
    assertEquals(2, state.allModelCheckpointTimestamps().size());
    assertEquals(dir.resolve("ckpt-2"), TfCheckpoint.latest(dir).orElseThrow());
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".kerasj-")),
          "no staging or previous-pair leftovers after successful writes");
    }
  }
}
