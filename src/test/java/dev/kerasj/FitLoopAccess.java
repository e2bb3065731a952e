package dev.kerasj;

/** Lets tests in other packages call {@link FitLoop}'s package-private batch slicing. */
public final class FitLoopAccess {
  private FitLoopAccess() {}

  public static int[] shard(int from, int to, int index, int workers) {
    return FitLoop.shard(from, to, index, workers);
  }

  public static void checkShardable(int samples, int batchSize, int workers) {
    FitLoop.checkShardable(samples, batchSize, workers);
  }
}
