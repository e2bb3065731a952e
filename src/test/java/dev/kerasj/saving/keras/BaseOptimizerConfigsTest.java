package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.saving.IncompatibleModelException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Keras' base-optimizer keys in a compile config ({@code clipnorm}, {@code clipvalue}, {@code global_clipnorm},
 * {@code use_ema}, {@code ema_momentum}, {@code ema_overwrite_frequency}, {@code gradient_accumulation_steps}) are
 * written as Keras writes them, read back to the same optimizer, and refused with the key and value when bad. Files
 * Keras wrote are read in {@code saving/tfcheckpoint/OptimizerFixturesTest}.
 */
class BaseOptimizerConfigsTest {
  private static Optimizer read(String config) throws Exception {
    JsonNode opt = KerasJson.parse(("{\"class_name\": \"Adam\", \"config\": " + config + "}")
        .getBytes(StandardCharsets.UTF_8));
    return CompileConfigs.optimizer(opt, new ConfigFields(KerasJson.NODES.objectNode(), "compile_config", null));
  }

  private static IncompatibleModelException readFails(String config) {
    return assertThrows(IncompatibleModelException.class, () -> read(config));
  }

  @Test
  void writeThenRead_keepsEveryBaseOption() throws Exception {
    Adam adam = Adam.builder().learningRate(0.01).globalClipnorm(2.5).useEma(true).emaMomentum(0.9)
        .emaOverwriteFrequency(7).gradientAccumulationSteps(4).build();
    JsonNode written = CompileConfigs.optimizer(adam, 0.01);
    JsonNode c = written.get("config");
    assertTrue(c.get("clipnorm").isNull() && c.get("clipvalue").isNull(), c.toString());
    assertEquals(2.5, c.get("global_clipnorm").asDouble());
    assertTrue(c.get("use_ema").asBoolean());
    assertEquals(0.9, c.get("ema_momentum").asDouble());
    assertEquals(7, c.get("ema_overwrite_frequency").asInt());
    assertEquals(4, c.get("gradient_accumulation_steps").asInt());
    Optimizer back = CompileConfigs.optimizer(written, new ConfigFields(KerasJson.NODES.objectNode(),
        "compile_config", null));
    assertEquals(2.5, back.globalClipnorm());
    assertTrue(back.useEma());
    assertEquals(0.9, back.emaMomentum());
    assertEquals(7, back.emaOverwriteFrequency());
    assertEquals(4, back.gradientAccumulationSteps());
  }

  @Test
  void read_twoClippingOptions_failsWithKerasMessage() {
    IncompatibleModelException e = readFails("{\"clipnorm\": 1.0, \"clipvalue\": 0.5}");
    assertTrue(e.getMessage().contains("only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
        + "Received: clipnorm=1.0, clipvalue=0.5, global_clipnorm=None"), e.getMessage());
  }

  @Test
  void read_badValues_failNamingTheKeyAndValue() {
    assertTrue(readFails("{\"clipnorm\": 0.0}").getMessage().contains("Received: clipnorm=0.0"));
    assertTrue(readFails("{\"clipvalue\": \"1\"}").getMessage().contains("'clipvalue' must be a number or null"));
    assertTrue(readFails("{\"use_ema\": true, \"ema_momentum\": 1.5}").getMessage()
        .contains("`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=1.5"));
    assertTrue(readFails("{\"use_ema\": true, \"ema_overwrite_frequency\": 2.5}").getMessage()
        .contains("'ema_overwrite_frequency' must be an integer or null"));
    assertTrue(readFails("{\"gradient_accumulation_steps\": 1}").getMessage()
        .contains("`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps=1"));
    assertTrue(readFails("{\"loss_scale_factor\": 128.0}").getMessage().contains("loss_scale_factor"));
  }
}
