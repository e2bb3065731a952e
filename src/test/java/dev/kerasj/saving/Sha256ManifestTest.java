package dev.kerasj.saving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Sha256Manifest}: written in sha256sum's format, and hostile manifests give typed errors, never a hang. */
class Sha256ManifestTest {
  @TempDir Path dir;

  @Test
  void roundTrip_andEveryKindOfDamage() throws IOException {
    Files.writeString(dir.resolve("a.json"), "{\"x\": 1}");
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub/b.bin"), new byte[] {1, 2, 3});
    Path manifest = dir.resolve("kerasj.sha256");
    Sha256Manifest.write(dir, manifest, List.of(Path.of("a.json"), Path.of("sub/b.bin")));
    List<String> lines = Files.readAllLines(manifest);
    assertTrue(lines.get(0).matches("[0-9a-f]{64}  a\\.json") && lines.get(1).matches("[0-9a-f]{64}  sub/b\\.bin"),
        lines.toString());
    assertTrue(Sha256Manifest.require(dir, manifest));
    assertTrue(Sha256Manifest.check(dir, manifest).orElseThrow().stream()
        .allMatch(c -> c.status() == Sha256Manifest.Status.OK));

    Files.writeString(dir.resolve("a.json"), "{\"x\": 2}");
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> Sha256Manifest.require(dir, manifest));
    assertEquals(dir.resolve("a.json").toAbsolutePath().normalize(), e.file());
    assertTrue(e.getMessage().contains("sha256 is "), e.getMessage());

    Files.delete(dir.resolve("sub/b.bin"));
    assertEquals(Sha256Manifest.Status.MISSING, Sha256Manifest.check(dir, manifest).orElseThrow().get(1).status());
    assertFalse(Sha256Manifest.require(dir, dir.resolve("none.sha256")), "no manifest: nothing to check");
  }

  @Test
  void malformedManifests_areCorrupt() throws IOException {
    Path manifest = dir.resolve("kerasj.sha256");
    String hex = "0".repeat(64);
    for (String bad : List.of("not a manifest\n", hex + "  ../outside.json\n", hex + "  /etc/passwd\n",
        hex + " one-space.json\n", hex.substring(1) + "  short.json\n", hex + "  .\n",
        hex + "  saved_mode\u0000l.pb\n" /* found by FileFuzzTest: InvalidPathException */)) {
      Files.writeString(manifest, bad);
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
          () -> Sha256Manifest.check(dir, manifest), bad);
      assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
    Files.write(manifest, new byte[(int) Sha256Manifest.MAX_MANIFEST_BYTES + 1]);
    assertThrows(CorruptCheckpointException.class, () -> Sha256Manifest.check(dir, manifest));
  }

  @Test
  void fifoManifestOrListedFifo_isRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("kerasj.sha256");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
          () -> Sha256Manifest.check(dir, fifo));
      assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
    });
    Files.delete(fifo);
    Path listed = dir.resolve("data.fifo");
    Files.write(listed, new byte[0]);
    Sha256Manifest.write(dir, fifo, List.of(Path.of("data.fifo")));
    Files.delete(listed);
    assertEquals(0, new ProcessBuilder("mkfifo", listed.toString()).start().waitFor());
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(Sha256Manifest.Status.NOT_A_REGULAR_FILE,
        Sha256Manifest.check(dir, fifo).orElseThrow().get(0).status()));
  }
}
