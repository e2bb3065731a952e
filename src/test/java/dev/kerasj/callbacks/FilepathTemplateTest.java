package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Template formatting equals Python's {@code str.format}. Expected strings were printed by Python 3.11
 * ({@code template.format(**values)}) in the pinned venv; the script is in the comment of each row's source.
 */
class FilepathTemplateTest {
  static Stream<Arguments> pythonCases() {
    return Stream.of(
        Arguments.of("epoch_{epoch:02d}-val_loss_{val_loss:.2f}", 3L, 0.49851, "epoch_03-val_loss_0.50"),
        Arguments.of("{epoch}", 7L, null, "7"),
        Arguments.of("{epoch:03d}_{loss}", 12L, 0.1, "012_0.1"),
        Arguments.of("{loss:.4e}", null, 0.000123456, "1.2346e-04"),
        Arguments.of("{loss:g}", null, 1.2345e-05, "1.2345e-05"),
        Arguments.of("{loss:g}", null, 1234567.0, "1.23457e+06"),
        Arguments.of("{loss:.3g}", null, 0.5, "0.5"),
        Arguments.of("{loss:.1%}", null, 0.98765, "98.8%"),
        Arguments.of("{loss:>10.3f}|", null, 2.5, "     2.500|"),
        Arguments.of("{loss:<8.2f}|", null, -2.5, "-2.50   |"),
        Arguments.of("{loss:+.2f}", null, 2.0, "+2.00"),
        Arguments.of("{loss:08.3f}", null, -3.14159, "-003.142"),
        Arguments.of("{epoch:*^7d}", 42L, null, "**42***"),
        Arguments.of("{loss:,.2f}", null, 1234567.891, "1,234,567.89"),
        Arguments.of("{loss}", null, 1e-05, "1e-05"),
        Arguments.of("{loss}", null, Double.NaN, "nan"),
        Arguments.of("{loss:.2f}", null, Double.POSITIVE_INFINITY, "inf"),
        Arguments.of("{loss:.2f}", null, 0.125, "0.12"),
        Arguments.of("{loss:.2f}", null, 0.375, "0.38"),
        Arguments.of("{loss:.0f}", null, 2.5, "2"),
        Arguments.of("{{literal}}_{epoch}", 1L, null, "{literal}_1"),
        Arguments.of("{loss:.3}", null, 0.0001234, "0.000123"),
        Arguments.of("{loss:e}", null, 0.0, "0.000000e+00"),
        Arguments.of("{epoch:,d}", 1234567L, null, "1,234,567"));
  }

  @ParameterizedTest(name = "{0} -> {3}")
  @MethodSource("pythonCases")
  void format_matchesPythonStrFormat(String template, Long epoch, Double loss, String expected) {
    Map<String, Long> ints = new LinkedHashMap<>();
    if (epoch != null) {
      ints.put("epoch", epoch);
    }
    Map<String, Double> floats = new LinkedHashMap<>();
    if (loss != null) {
      floats.put("loss", loss);
      floats.put("val_loss", loss);
    }
    assertEquals(expected, new FilepathTemplate(template).format(ints, floats));
  }

  @Test
  void parse_withBadSyntax_namesTheTemplateAndProblem() {
    for (String bad : new String[] {"ckpt_{epoch", "ckpt_}", "{}", "{0}", "{epoch:02x}", "{epoch!r}", "{loss:.2q}"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FilepathTemplate(bad));
      assertTrue(e.getMessage().contains("Received: filepath=\"" + bad + "\""), e.getMessage());
    }
  }

  @Test
  void fields_listsNamesInOrder() {
    assertEquals(java.util.List.of("epoch", "val_loss"),
        java.util.List.copyOf(new FilepathTemplate("e{epoch}-{val_loss:.2f}-{epoch}").fields()));
  }

  @Test
  void intSpecOnFloatField_isRejected() {
    FilepathTemplate t = new FilepathTemplate("{val_loss:02d}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.checkFloatField("val_loss"));
    assertTrue(e.getMessage().contains("Unknown format code 'd'"), e.getMessage());
  }

  @Test
  void hugeWidthOrPrecision_isRefusedWhenParsed_beforeAnythingIsFormatted() {
    for (String bad : new String[] {"ckpt_{epoch:0999999d}", "ckpt_{loss:.99999999999f}", "{epoch:256d}"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FilepathTemplate(bad));
      assertTrue(e.getMessage().contains("Received: filepath=\"" + bad + "\"")
          && e.getMessage().contains("is larger than a file name may be (255 characters)"), e.getMessage());
    }
  }

  @Test
  void modelCheckpointBuilder_refusesATemplateNoSaveCouldUse_beforeTraining() {
    String[][] cases = {
        {"ckpt_{epoch:0999999d}", "the width 999999"},
        {"ckpt_{epoch:0250d}_{loss:.10f}", "formats to a file name of 268 characters, longer than the 255"},
        {"ckpt/" + "d/".repeat(2100) + "{epoch}", "formats to a path of 4206 characters, longer than the 4096"},
        {"ckpt_{val_loss:02d}", "Unknown format code 'd' for the float field '{val_loss:02d}'"},
        {"ckpt_{epoch:.2d}", "precision not allowed for integer field '{epoch:.2d}'"},
        {"ckpt_\u0000_{epoch}", "formats to an invalid path"}};
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.builder(c[0]));
      assertTrue(e.getMessage().contains("Invalid ModelCheckpoint filepath template") && e.getMessage().contains(c[1]),
          e.getMessage());
    }
    // Widths and precisions that fit a file name still work.
    ModelCheckpoint.builder("ckpt_{epoch:0200d}_{val_loss:.20f}").build();
  }
}
