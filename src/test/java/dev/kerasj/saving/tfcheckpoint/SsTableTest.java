package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.saving.CorruptCheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java reader of LevelDB-format tables: it reads what TensorFlow writes, what the test writer writes is what
 * TensorFlow reads, and every structural fault (checksum, compression type, magic, a block handle past the end,
 * restart array, key order) is refused with a message saying which.
 */
class SsTableTest {
  @TempDir Path dir;

  private static List<SsTable.Entry> entries(int n) {
    List<SsTable.Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new SsTable.Entry(String.format("layer/%03d/kernel", i).getBytes(StandardCharsets.UTF_8),
          ("value " + i).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static void assertSameEntries(List<SsTable.Entry> expected, List<SsTable.Entry> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).key(), actual.get(i).key(), "key " + i);
      assertArrayEquals(expected.get(i).value(), actual.get(i).value(), "value " + i);
    }
  }

  private static String formatError(byte[] table) {
    return assertThrows(SsTable.FormatException.class, () -> SsTable.read(table)).getMessage();
  }

  @Test
  void mask_isLevelDbs_andUnmaskUndoesIt() {
    CRC32C crc = new CRC32C();
    crc.update("123456789".getBytes(StandardCharsets.US_ASCII));
    assertEquals(0xe3069283, (int) crc.getValue(), "crc32c check value");
    int c = (int) crc.getValue();
    assertEquals(((c >>> 15) | (c << 17)) + 0xa282ead8, SsTable.mask(c));
    assertEquals(c, SsTable.unmask(SsTable.mask(c)));
  }

  @Test
  void writtenTable_readsBack_withPrefixCompressionAcrossRestarts() throws Exception {
    List<SsTable.Entry> written = entries(40);
    assertSameEntries(written, SsTable.read(SsTableWriter.write(written)));
  }

  @Test
  void rewrittenIndex_isReadByTensorFlowAsTheOriginal() throws IOException {
    Path prefix = dir.resolve("ckpt");
    Map<String, HostArray> written;
    try (Sequential m = CheckpointTesting.trainedMlp(3, 1)) {
      TfCheckpoint.write(m, prefix);
      written = CheckpointTesting.allVariables(m);
    }
    Map<String, String> before = BundleIndexFixturesTest.tensorFlowEntries(prefix);
    Files.write(CheckpointFiles.index(prefix), SsTableWriter.write(HostileBundles.entries(prefix)));
    assertEquals(before, BundleIndexFixturesTest.tensorFlowEntries(prefix));
    try (Sequential fresh = CheckpointTesting.CASES.get("mlp_adam").build(4)) {
      fresh.loadWeights(prefix);
      CheckpointTesting.assertSameValues(written, CheckpointTesting.allVariables(fresh));
    }
  }

  @Test
  void flippedByte_failsTheBlockChecksum() {
    byte[] table = SsTableWriter.write(entries(3));
    table[5] ^= 0x01;
    assertTrue(formatError(table).contains("data block 0 fails its block checksum"));
  }

  @Test
  void compressedBlock_isRefusedByType() {
    assertTrue(formatError(SsTableWriter.write(entries(3), 1)).contains("data block 0 has compression type 1"));
  }

  @Test
  void badMagic_andShortFile_areNotSstables() {
    byte[] table = SsTableWriter.write(entries(3));
    table[table.length - 1] ^= 0x01;
    assertTrue(formatError(table).contains("magic number"));
    assertTrue(formatError(new byte[20]).contains("too short to be an sstable"));
  }

  @Test
  void indexHandlePastTheEnd_isRefusedBeforeAnythingIsAllocated() {
    byte[] table = SsTableWriter.write(entries(3));
    int footer = table.length - SsTable.FOOTER_LENGTH;
    byte[] handles = new byte[SsTable.FOOTER_LENGTH - 8];
    byte[] meta = SsTableWriter.handle(new long[] {0, 0});
    byte[] huge = SsTableWriter.handle(new long[] {0, Long.MAX_VALUE});
    System.arraycopy(meta, 0, handles, 0, meta.length);
    System.arraycopy(huge, 0, handles, meta.length, huge.length);
    System.arraycopy(handles, 0, table, footer, handles.length);
    assertTrue(formatError(table).contains("the index block is declared at bytes"));
  }

  /** The error for a two-entry block whose little-endian int {@code fromEnd} bytes before its end is {@code value}. */
  private static String blockError(int fromEnd, int value) {
    byte[] block = SsTableWriter.block(entries(2), 16);
    ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putInt(block.length - fromEnd, value);
    return assertThrows(SsTable.FormatException.class, () -> SsTable.entries(block, "block")).getMessage();
  }

  @Test
  void tooManyRestarts_isMalformed() {
    String m = blockError(4, 1000);
    assertTrue(m.contains("declares 1000 restart points"), m);
  }

  @Test
  void restartPointInsideAnEntry_isMalformed() {
    String m = blockError(8, 1);
    assertTrue(m.contains("bad restart point 1"), m);
  }

  @Test
  void keysOutOfOrder_areMalformed() {
    List<SsTable.Entry> e = new ArrayList<>(entries(3));
    e.add(e.remove(0));
    assertTrue(formatError(SsTableWriter.write(e)).contains("keys out of order"));
  }

  @Test
  void damagedIndex_isCorruptNamingTheIndex() throws IOException {
    Path prefix = dir.resolve("ckpt");
    try (Sequential m = CheckpointTesting.trainedMlp(3, 0)) {
      TfCheckpoint.write(m, prefix);
    }
    byte[] table = SsTableWriter.write(HostileBundles.entries(prefix), 1);
    Files.write(CheckpointFiles.index(prefix), table);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> CheckpointContents.read(prefix));
    assertEquals(CheckpointFiles.index(prefix), e.file());
    assertTrue(e.getMessage().contains("compression type 1"), e.getMessage());
  }
}
