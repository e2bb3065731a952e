package dev.kerasj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Model;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@code kerasj train --workers N}: N local worker JVMs on loopback ports, each with its {@code TF_CONFIG}, train the
 * config's MLP like one process over the same global batches; only the chief writes checkpoints.
 */
class TrainWorkersCliTest {
  @Test
  void workers2_trainLikeOneProcess_andOnlyTheChiefCheckpoints(@TempDir Path dir) throws Exception {
    Path csv = TrainCommandTest.smallDigits(dir);
    List<String> common = List.of("--config", TrainCommandTest.CONFIG.toString(), "--data", csv.toString(),
        "--label-column", "label", "--epochs", "2", "--batch-size", "48", "--validation-split", "0.2",
        "--save-weights-only", "--monitor",
        "loss", "--seed", "7", "--progress", "0", "--collective-timeout", "30");
    KerasjCliTest.Run group = KerasjCliTest.run(args(common, "--workers", "2", "--checkpoint",
        dir.resolve("group/ckpt_{epoch:02d}").toString()));
    assertEquals(0, group.exit(), group.out() + group.err());
    assertTrue(group.out().contains("kerasj: started 2 workers on [127.0.0.1:"), group.out());
    List<String> logs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String prefix = "[worker " + i + "] trained 2 epochs on 200 rows of " + csv + " as worker " + i + " of 2: ";
      String line = group.out().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(
          () -> new AssertionError(group.out()));
      assertTrue(line.contains("val_loss="), line);
      logs.add(line.substring(prefix.length()));
    }
    assertEquals(logs.get(0), logs.get(1), "both workers log the global batches' loss and the same validation");
    KerasjCliTest.Run single = KerasjCliTest.run(args(common, "--checkpoint",
        dir.resolve("single/ckpt_{epoch:02d}").toString()));
    assertEquals(0, single.exit(), single.err());
    try (var files = Files.list(dir.resolve("group"))) {
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith("workertemp")).toList());
    }
    assertEquals(2, TfCheckpoint.list(dir.resolve("group")).size());
    float[] g = restored(dir.resolve("group"));
    float[] s = restored(dir.resolve("single"));
    double worst = 0;
    for (int i = 0; i < g.length; i++) {
      worst = Math.max(worst, Math.abs(g[i] - s[i]));
    }
    assertTrue(worst <= 1e-6, "2 workers vs one process: max weight difference " + worst);
  }

  @Test
  void workers_badValuesAndAFailingWorker_failWithOneClearLine(@TempDir Path dir) throws Exception {
    Path narrow = Files.writeString(dir.resolve("narrow.csv"), "a,b,label\n1,2,0\n");
    KerasjCliTest.Run zero = KerasjCliTest.run("train", "--config", TrainCommandTest.CONFIG.toString(), "--data",
        narrow.toString(), "--workers", "0");
    assertEquals(1, zero.exit());
    assertTrue(zero.err().contains("--workers must be at least 1. Received: 0"), zero.err());
    KerasjCliTest.Run failing = KerasjCliTest.run("train", "--config", TrainCommandTest.CONFIG.toString(), "--data",
        narrow.toString(), "--workers=2");
    assertEquals(1, failing.exit(), failing.out() + failing.err());
    assertTrue(failing.err().contains("2 feature columns, but the model's input shape [64] takes 64"), failing.err());
    assertTrue(failing.err().lines().anyMatch(l -> l.startsWith("kerasj: error: worker ")
        && l.contains(" of 2 (127.0.0.1:") && l.contains("exited with status 1")), failing.err());
  }

  private static String[] args(List<String> common, String... more) {
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(common);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static float[] restored(Path checkpoints) throws Exception {
    try (Model m = ModelConfigReader.DEFAULT.read(TrainCommandTest.CONFIG, 0)) {
      TfCheckpoint.restore(m, checkpoints);
      List<Float> all = new ArrayList<>();
      for (FloatNdArray w : m.getWeights()) {
        w.scalars().forEach(x -> all.add(x.getFloat()));
      }
      float[] out = new float[all.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = all.get(i);
      }
      return out;
    }
  }
}
