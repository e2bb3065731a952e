package dev.kerasj;

import static org.junit.jupiter.api.Assertions.*;

import dev.kerasj.callbacks.History;
import dev.kerasj.layers.*;
import dev.kerasj.losses.*;
import dev.kerasj.optimizers.*;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void fit_onSeparableData_lowersLoss() {
    Random r = new Random(1);
    float[][] x = new float[200][4];
    int[] y = new int[200];
    for (int i = 0; i < 200; i++) {
      y[i] = i % 3;
      for (int j = 0; j < 4; j++) x[i][j] = (float) (r.nextGaussian() * 0.3 + (j == y[i] ? 2 : 0));
    }
    try (Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dense(3, "softmax"))) {
      m.setSeed(3);
      m.compile(new Adam(0.01), new SparseCategoricalCrossentropy(), "accuracy");
      System.out.println(m.summary());
      History h = m.fit(x, y, FitOptions.builder().epochs(5).validationSplit(0.2).verbose(1).build());
      System.out.println(h);
      assertTrue(h.get("loss").get(4) < h.get("loss").get(0));
      System.out.println(m.evaluate(x, y));
    }
  }
}
