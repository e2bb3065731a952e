package dev.kerasj.optimizers.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.LearningRateScheduler;
import dev.kerasj.callbacks.ReduceLROnPlateau;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Schedules and learning-rate callbacks against the values Keras 3.15.1 computed
 * ({@code testdata/schedules/schedules.json}, made by {@code python-interop/make_schedule_fixtures.py}).
 */
class KerasScheduleParityTest {
  static final JsonNode FIXTURE = read();

  static JsonNode read() {
    try {
      return new ObjectMapper().readTree(Path.of("testdata/schedules/schedules.json").toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static LearningRateSchedule schedule(String name, JsonNode a) {
    return switch (name) {
      case "exponential", "exponential_staircase" -> new ExponentialDecay(a.get("initial_learning_rate").asDouble(),
          a.get("decay_steps").asLong(), a.get("decay_rate").asDouble(), a.get("staircase").asBoolean());
      case "cosine", "cosine_alpha" -> new CosineDecay(a.get("initial_learning_rate").asDouble(),
          a.get("decay_steps").asLong(), a.get("alpha").asDouble());
      case "piecewise" -> {
        long[] b = new long[a.get("boundaries").size()];
        double[] v = new double[a.get("values").size()];
        for (int i = 0; i < b.length; i++) {
          b[i] = a.get("boundaries").get(i).asLong();
        }
        for (int i = 0; i < v.length; i++) {
          v[i] = a.get("values").get(i).asDouble();
        }
        yield new PiecewiseConstantDecay(b, v);
      }
      default -> throw new IllegalArgumentException(name);
    };
  }

  static Stream<String> cases() {
    return Stream.of("exponential", "exponential_staircase", "cosine", "cosine_alpha", "piecewise");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void schedule_inGraph_matchesKeras(String name) {
    JsonNode c = FIXTURE.get("schedules").get(name);
    LearningRateSchedule s = schedule(name, c.get("args"));
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TInt64> step = tf.placeholder(TInt64.class);
      var lr = s.call(tf, step);
      for (int i = 0; i < c.get("steps").size(); i++) {
        long st = c.get("steps").get(i).asLong();
        float keras = (float) c.get("values").get(i).asDouble();
        try (TInt64 t = TInt64.scalarOf(st); Result r = session.runner().feed(step, t).fetch(lr).run()) {
          float java = ((TFloat32) r.get(0)).getFloat();
          assertEquals(keras, java, Math.max(Math.abs(keras) * 1e-6f, 1e-8f), name + " at step " + st); // a few float32 ulps: TF 2.18 (Java) vs 2.21 cos/pow kernels
        }
        assertEquals(keras, s.valueAt(st), Math.max(Math.abs(keras) * 2e-6, 1e-8), name + " valueAt(" + st + ")");
      }
    }
  }

  static Sequential model(double lr) {
    Sequential m = new Sequential(Input.of(2), new Dense(1));
    m.setSeed(1);
    m.compile(new SGD(lr), new MeanSquaredError());
    return m;
  }

  @Test
  void reduceLROnPlateau_matchesKeras() {
    JsonNode c = FIXTURE.get("reduce_lr_on_plateau");
    JsonNode a = c.get("args");
    try (Sequential m = model(a.get("initial_learning_rate").asDouble())) {
      ReduceLROnPlateau cb = ReduceLROnPlateau.builder().monitor("val_loss").factor(a.get("factor").asDouble())
          .patience(a.get("patience").asInt()).minDelta(a.get("min_delta").asDouble())
          .cooldown(a.get("cooldown").asInt()).minLr(a.get("min_lr").asDouble()).build();
      cb.setModel(m);
      cb.onTrainBegin(Map.of());
      for (int e = 0; e < c.get("monitored").size(); e++) {
        cb.onEpochEnd(e, Map.of("val_loss", c.get("monitored").get(e).asDouble()));
        assertEquals((float) c.get("learning_rates").get(e).asDouble(), (float) m.learningRate(), "epoch " + e);
      }
    }
  }

  @Test
  void learningRateScheduler_matchesKeras() {
    JsonNode c = FIXTURE.get("learning_rate_scheduler");
    try (Sequential m = model(0.1)) {
      LearningRateScheduler cb = new LearningRateScheduler((epoch, lr) -> epoch < 2 ? lr : lr * 0.9);
      cb.setModel(m);
      cb.onTrainBegin(Map.of());
      for (int e = 0; e < c.get("learning_rates").size(); e++) {
        cb.onEpochBegin(e, Map.of());
        assertEquals((float) c.get("learning_rates").get(e).asDouble(), (float) m.learningRate(), "epoch " + e);
      }
    }
  }

  @Test
  void compiledSchedule_drivesTheLearningRate_andCannotBeSet() {
    Adam adam = new Adam();
    adam.setLearningRateSchedule(new ExponentialDecay(0.1, 7, 0.5));
    try (Sequential m = new Sequential(Input.of(2), new Dense(1))) {
      m.compile(adam, new MeanSquaredError());
      assertEquals(0.1f, (float) m.learningRate());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.setLearningRate(0.01));
      assertEquals(true, e.getMessage().contains("follows a schedule"), e.getMessage());
    }
  }

  @Test
  void badArguments_areRejectedWithTheValueReceived() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PiecewiseConstantDecay(new long[] {1, 2}, new double[] {0.1}));
    assertEquals(true, e.getMessage().contains("length"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 10, 1.5));
    assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.builder().factor(1.0));
  }
}
