package dev.kerasj.serving;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A callable signature of a SavedModel: its name ({@code serving_default}), inputs and outputs by key, in the
 * SavedModel's (sorted) key order.
 */
public record SignatureSpec(String name, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {
  public SignatureSpec {
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /** {@code serving_default(features: float32[?, 4]) -> (output_0: float32[?, 3])}. */
  public String describe() {
    return name + "(" + String.join(", ", inputs.values().stream().map(TensorSpec::describe).toList()) + ") -> ("
        + String.join(", ", outputs.values().stream().map(TensorSpec::describe).toList()) + ")";
  }
}
