package dev.kerasj.saving.tfcheckpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A minimal LevelDB-format table writer for tests: one data block (prefix-compressed, a restart point every 16
 * entries), an empty metaindex block, an index block with one entry, and the footer, every block with a valid
 * masked crc32c. It lets a test hand TensorFlow-format readers entries that are well-formed at the table level but
 * hostile inside (what a bit-flip cannot produce: TensorFlow's block checksums would catch that).
 */
final class SsTableWriter {
  private static final int RESTART_INTERVAL = 16;

  private SsTableWriter() {}

  /** The table holding {@code entries} (sorted by key), with compression type 0. */
  static byte[] write(List<SsTable.Entry> entries) {
    return write(entries, SsTable.NO_COMPRESSION);
  }

  /** The table holding {@code entries}, its data block marked with {@code dataCompressionType}. */
  static byte[] write(List<SsTable.Entry> entries, int dataCompressionType) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] data = block(entries, RESTART_INTERVAL);
    long[] dataHandle = {out.size(), data.length};
    appendBlock(out, data, dataCompressionType);
    byte[] meta = block(List.of(), 1);
    long[] metaHandle = {out.size(), meta.length};
    appendBlock(out, meta, SsTable.NO_COMPRESSION);
    byte[] separator = entries.isEmpty() ? new byte[0] : entries.get(entries.size() - 1).key();
    byte[] index = block(List.of(new SsTable.Entry(separator, handle(dataHandle))), 1);
    long[] indexHandle = {out.size(), index.length};
    appendBlock(out, index, SsTable.NO_COMPRESSION);
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    footer.writeBytes(handle(metaHandle));
    footer.writeBytes(handle(indexHandle));
    byte[] padded = new byte[SsTable.FOOTER_LENGTH];
    System.arraycopy(footer.toByteArray(), 0, padded, 0, footer.size());
    ByteBuffer.wrap(padded, SsTable.FOOTER_LENGTH - 8, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(SsTable.MAGIC);
    out.writeBytes(padded);
    return out.toByteArray();
  }

  /** Entries with shared key prefixes, then the restart array and its length, as LevelDB's BlockBuilder lays out. */
  static byte[] block(List<SsTable.Entry> entries, int restartInterval) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Integer> restarts = new ArrayList<>();
    restarts.add(0);
    byte[] last = new byte[0];
    for (int i = 0; i < entries.size(); i++) {
      byte[] key = entries.get(i).key();
      byte[] value = entries.get(i).value();
      int shared = 0;
      if (i % restartInterval == 0) {
        if (i > 0) {
          restarts.add(out.size());
        }
      } else {
        while (shared < Math.min(last.length, key.length) && last[shared] == key[shared]) {
          shared++;
        }
      }
      varint(out, shared);
      varint(out, key.length - shared);
      varint(out, value.length);
      out.write(key, shared, key.length - shared);
      out.writeBytes(value);
      last = key;
    }
    ByteBuffer tail = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
    restarts.forEach(tail::putInt);
    tail.putInt(restarts.size());
    out.writeBytes(tail.array());
    return out.toByteArray();
  }

  private static void appendBlock(ByteArrayOutputStream out, byte[] block, int type) {
    out.writeBytes(block);
    out.write(type);
    CRC32C crc = new CRC32C();
    crc.update(block);
    crc.update(type);
    ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    trailer.putInt(SsTable.mask((int) crc.getValue()));
    out.writeBytes(trailer.array());
  }

  static byte[] handle(long[] h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, h[0]);
    varint(out, h[1]);
    return out.toByteArray();
  }

  static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
