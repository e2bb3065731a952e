package dev.kerasj.distribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code TF_CONFIG} as Python TensorFlow writes it, and the errors for the ones it would refuse. */
class TfConfigTest {
  @Test
  void parse_workerJob_givesAddressesAndIndex() {
    TfConfig c = TfConfig.parse("{\"cluster\": {\"worker\": [\"10.0.0.1:2222\", \"10.0.0.2:2222\"]}, "
        + "\"task\": {\"type\": \"worker\", \"index\": 1}}");
    assertEquals(List.of("10.0.0.1:2222", "10.0.0.2:2222"), c.workers());
    assertEquals(1, c.taskIndex());
    assertEquals(false, c.isChief());
  }

  @Test
  void parse_chiefJob_comesFirstAndWorkersFollow() {
    String cluster = "\"cluster\": {\"chief\": [\"c:1\"], \"worker\": [\"w0:1\", \"w1:1\"]}";
    TfConfig chief = TfConfig.parse("{" + cluster + ", \"task\": {\"type\": \"chief\", \"index\": 0}}");
    TfConfig w1 = TfConfig.parse("{" + cluster + ", \"task\": {\"type\": \"worker\", \"index\": 1}}");
    assertEquals(List.of("c:1", "w0:1", "w1:1"), chief.workers());
    assertEquals(0, chief.taskIndex());
    assertEquals(2, w1.taskIndex());
  }

  @Test
  void toJson_roundTrips() {
    TfConfig c = new TfConfig(List.of("127.0.0.1:5000", "127.0.0.1:5001"), 1);
    assertEquals("{\"cluster\":{\"worker\":[\"127.0.0.1:5000\",\"127.0.0.1:5001\"]},\"task\":{\"type\":\"worker\","
        + "\"index\":1}}", c.toJson());
    assertEquals(c, TfConfig.parse(c.toJson()));
  }

  @Test
  void parse_indexOutOfRange_namesTheRange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TfConfig.parse(
        "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 2}}"));
    assertTrue(e.getMessage().contains("task index 2 is out of range") && e.getMessage().contains("expected 0 to 1"),
        e.getMessage());
  }

  @Test
  void parse_malformed_saysWhatWasReceivedAndExpected() {
    assertMessage("{\"cluster\": {\"worker\": [\"a:1\"]}", "not valid JSON");
    assertMessage("[1]", "must be a JSON object");
    assertMessage("{\"task\": {\"type\": \"worker\", \"index\": 0}}", "no \"cluster\" object");
    assertMessage("{\"cluster\": {\"worker\": [\"a:1\"]}}", "no \"task\" object");
    assertMessage("{\"cluster\": {\"worker\": [\"a\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
        "Received: \"a\"");
    assertMessage("{\"cluster\": {\"worker\": [\"a:99999\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
        "port from 1 to 65535");
    assertMessage("{\"cluster\": {\"worker\": [\"a:1\"], \"ps\": [\"p:1\"]}, \"task\": {\"type\": \"worker\", "
        + "\"index\": 0}}", "ParameterServerStrategy");
    assertMessage("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"evaluator\", \"index\": 0}}",
        "task type \"evaluator\"");
    assertMessage("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": \"0\"}}",
        "\"index\": <integer>");
    assertMessage("{\"cluster\": {\"worker\": [\"a:1\", \"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
        "lists an address twice");
  }

  @Test
  void shard_splitsAGlobalBatchIntoContiguousSlicesDifferingByAtMostOne() {
    assertEquals(List.of(List.of(0, 24), List.of(24, 48)), slices(0, 48, 2));
    assertEquals(List.of(List.of(96, 112), List.of(112, 128), List.of(128, 144)), slices(96, 144, 3));
    assertEquals(List.of(List.of(0, 3), List.of(3, 5), List.of(5, 7)), slices(0, 7, 3));
  }

  @Test
  void builder_refusesANonPositiveTimeout() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MultiWorkerMirroredStrategy.builder(null).collectiveTimeout(java.time.Duration.ZERO));
    assertTrue(e.getMessage().contains("Received: PT0S"), e.getMessage());
  }

  private static List<List<Integer>> slices(int from, int to, int workers) {
    List<List<Integer>> out = new java.util.ArrayList<>();
    for (int i = 0; i < workers; i++) {
      int[] s = dev.kerasj.FitLoopAccess.shard(from, to, i, workers);
      out.add(List.of(s[0], s[1]));
    }
    return out;
  }

  private static void assertMessage(String json, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TfConfig.parse(json));
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }
}
