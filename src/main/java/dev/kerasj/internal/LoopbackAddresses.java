package dev.kerasj.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free {@code 127.0.0.1:port} addresses for a cluster of workers on this machine (the {@code --workers N} launcher
 * of the command line, and the tests and benchmarks that start worker processes).
 */
public final class LoopbackAddresses {
  private LoopbackAddresses() {}

  /**
   * {@code n} distinct free ports on 127.0.0.1: bound together (so they differ), released for the workers. Another
   * process may take one before a worker binds it; a worker then fails to start, naming the address.
   */
  public static List<String> free(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(s -> "127.0.0.1:" + s.getLocalPort()).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
