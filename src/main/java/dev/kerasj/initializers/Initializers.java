package dev.kerasj.initializers;

/** Looks up initializers by their Keras identifiers ({@code "glorot_uniform"}, {@code "he_normal"}, ...). */
public final class Initializers {
  private Initializers() {}

  /** Returns the initializer Keras names {@code identifier}, unseeded (the model's seed is used). */
  public static Initializer get(String identifier) {
    return switch (identifier) {
      case "glorot_uniform" -> VarianceScaling.glorotUniform(null);
      case "glorot_normal" -> VarianceScaling.glorotNormal(null);
      case "he_normal" -> VarianceScaling.heNormal(null);
      case "he_uniform" -> VarianceScaling.heUniform(null);
      case "random_normal" -> new RandomNormal();
      case "random_uniform" -> new RandomUniform();
      case "orthogonal" -> new Orthogonal();
      case "zeros" -> Constant.zeros();
      case "ones" -> Constant.ones();
      default -> throw new IllegalArgumentException(
          "Unknown initializer: '" + identifier + "'. Expected one of: glorot_uniform, glorot_normal, he_normal, "
              + "he_uniform, random_normal, random_uniform, orthogonal, zeros, ones");
    };
  }
}
