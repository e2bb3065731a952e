package dev.kerasj.initializers;

import java.util.Random;

/**
 * Keras {@code Orthogonal(gain, seed)}: a (semi-)orthogonal matrix times {@code gain}, the default
 * {@code recurrent_initializer} of Keras' recurrent layers. As Keras does, a normal matrix of shape
 * {@code (max(rows, cols), min(rows, cols))} (rows = product of all but the last dimension) is QR-decomposed, Q's
 * columns take the signs of R's diagonal, and Q is transposed when {@code rows < cols}. Keras default: {@code gain=1.0}.
 */
public record Orthogonal(double gain, Long seed) implements Initializer {
  /** Keras' default gain, 1.0. */
  public static final double DEFAULT_GAIN = 1.0;

  /** Gain 1, seeded by the model. */
  public Orthogonal() {
    this(DEFAULT_GAIN, null);
  }

  public Orthogonal {
    if (!Double.isFinite(gain)) {
      throw new IllegalArgumentException("Orthogonal needs a finite gain. Received: gain=" + gain);
    }
  }

  @Override
  public float[] generate(long[] shape, long fallbackSeed) {
    if (shape.length < 2) {
      throw new IllegalArgumentException("The tensor to initialize must be at least two-dimensional. Received: "
          + "shape=" + java.util.Arrays.toString(shape) + " of rank " + shape.length + ".");
    }
    int cols = Math.toIntExact(shape[shape.length - 1]);
    int rows = Initializer.size(shape) / Math.max(cols, 1);
    int n = Math.max(rows, cols);
    int k = Math.min(rows, cols);
    Random rng = new Random(seed != null ? seed : fallbackSeed);
    double[][] q = new double[k][n]; // column j of the n x k matrix in q[j]
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        q[j][i] = rng.nextGaussian();
      }
    }
    // Modified Gram-Schmidt: Q's columns; R's diagonal is each column's norm before normalizing, always positive,
    // which is Q with R's signs already applied (numpy's Householder QR then multiplies by sign(diag(R))).
    for (int j = 0; j < k; j++) {
      for (int p = 0; p < j; p++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += q[p][i] * q[j][i];
        }
        for (int i = 0; i < n; i++) {
          q[j][i] -= dot * q[p][i];
        }
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        norm += q[j][i] * q[j][i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < n; i++) {
        q[j][i] /= norm;
      }
    }
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        // rows >= cols: out = Q (n x k, n = rows); rows < cols: out = Q^T (k x n, k = rows).
        double v = rows >= cols ? q[c][r] : q[r][c];
        out[r * cols + c] = (float) (gain * v);
      }
    }
    return out;
  }

  @Override
  public String name() {
    return "orthogonal";
  }
}
