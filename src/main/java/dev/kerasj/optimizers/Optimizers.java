package dev.kerasj.optimizers;

/** Looks up optimizers by Keras identifier, with Keras' default arguments. */
public final class Optimizers {
  private Optimizers() {}

  public static Optimizer get(String identifier) {
    return switch (identifier.toLowerCase(java.util.Locale.ROOT)) {
      case "sgd" -> new SGD();
      case "adam" -> new Adam();
      case "adamw" -> new AdamW();
      case "rmsprop" -> new RMSprop();
      case "adagrad" -> new Adagrad();
      case "nadam" -> new Nadam();
      case "adamax" -> new Adamax();
      case "adadelta" -> new Adadelta();
      case "ftrl" -> new Ftrl();
      case "lion" -> new Lion();
      default -> throw new IllegalArgumentException("Unknown optimizer: '" + identifier
          + "'. Expected one of: sgd, adam, adamw, rmsprop, adagrad, nadam, adamax, adadelta, ftrl, lion");
    };
  }
}
