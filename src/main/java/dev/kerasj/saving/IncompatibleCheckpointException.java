package dev.kerasj.saving;

import java.nio.file.Path;
import java.util.List;

/**
 * A readable checkpoint that does not fit the model it is restored into: variables the model has and the file
 * lacks, variables the file has and the model lacks, or shapes and dtypes that differ. Nothing was written into the
 * model. The message lists each group; the accessors return them for programs.
 */
public class IncompatibleCheckpointException extends KerasjException {
  private final Path file;
  private final List<String> matched;
  private final List<String> missing;
  private final List<String> unexpected;
  private final List<String> mismatched;

  /**
   * @param matched variables found with the right shape and dtype
   * @param missing model variables the checkpoint lacks
   * @param unexpected checkpoint values the model has no variable for
   * @param mismatched variables found with another shape or dtype, each with both sides
   */
  public IncompatibleCheckpointException(Path file, String message, List<String> matched, List<String> missing,
      List<String> unexpected, List<String> mismatched) {
    super(message);
    this.file = file;
    this.matched = List.copyOf(matched);
    this.missing = List.copyOf(missing);
    this.unexpected = List.copyOf(unexpected);
    this.mismatched = List.copyOf(mismatched);
  }

  /** A checkpoint that is not of the expected kind at all (no object graph, for instance). */
  public IncompatibleCheckpointException(Path file, String message) {
    this(file, message, List.of(), List.of(), List.of(), List.of());
  }

  public Path file() {
    return file;
  }

  public List<String> matched() {
    return matched;
  }

  public List<String> missing() {
    return missing;
  }

  public List<String> unexpected() {
    return unexpected;
  }

  public List<String> mismatched() {
    return mismatched;
  }
}
