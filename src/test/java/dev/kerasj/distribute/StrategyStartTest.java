package dev.kerasj.distribute;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitLoopAccess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a worker refuses before any training: a port someone else holds, batches a worker would get nothing of. */
class StrategyStartTest {
  @Test
  void portInUse_failsNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      MultiWorkerMirroredStrategy strategy = MultiWorkerMirroredStrategy.builder(
          new TfConfig(List.of(address, "127.0.0.1:1"), 0)).build();
      IllegalStateException e = assertThrows(IllegalStateException.class, strategy::startServer);
      // TF_NewServer itself fails ("Could not start gRPC server"); the message names the worker and address.
      assertTrue(e.getMessage().contains("could not create the server of worker 0 at " + address)
          && e.getMessage().contains("Could not start gRPC server"), e.getMessage());
    }
  }

  @Test
  void scope_givesModelsCreatedInsideItTheStrategy_andNests() {
    MultiWorkerMirroredStrategy outer = MultiWorkerMirroredStrategy.builder(null).build();
    MultiWorkerMirroredStrategy inner = MultiWorkerMirroredStrategy.builder(null).build();
    try (var a = outer.scope()) {
      try (dev.kerasj.Sequential m = new dev.kerasj.Sequential(dev.kerasj.layers.Input.of(2))) {
        assertSame(outer, m.distributeStrategy());
      }
      try (var b = inner.scope()) {
        assertSame(inner, MultiWorkerMirroredStrategy.current());
      }
      assertSame(outer, MultiWorkerMirroredStrategy.current());
    }
    assertNull(MultiWorkerMirroredStrategy.current());
    try (dev.kerasj.Sequential m = new dev.kerasj.Sequential(dev.kerasj.layers.Input.of(2),
        new dev.kerasj.layers.Dense(1))) {
      assertNull(m.distributeStrategy());
      m.build();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.setDistributeStrategy(outer));
      assertTrue(e.getMessage().contains("before model '" + m.name() + "' is built"), e.getMessage());
    }
  }

  @Test
  void batchesTooSmallForTheWorkers_areRefusedWithTheCounts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FitLoopAccess.checkShardable(10, 2, 3));
    assertTrue(e.getMessage().contains("across 3 workers") && e.getMessage().contains("batches of 2"),
        e.getMessage());
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> FitLoopAccess.checkShardable(97, 48, 3));
    assertTrue(small.getMessage().contains("Received: 97 samples in batches of 48 (the last batch has 1)"),
        small.getMessage());
    FitLoopAccess.checkShardable(100, 48, 2); // last batch of 4: two slices of 2
  }
}
