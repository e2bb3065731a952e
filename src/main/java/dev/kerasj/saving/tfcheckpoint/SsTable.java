package dev.kerasj.saving.tfcheckpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads, in Java, the LevelDB-format sorted table that a tensor bundle's {@code .index} file is (TensorFlow's
 * {@code tensorflow/core/lib/io/table.cc}, {@code block.cc}, {@code format.cc}), checking everything TensorFlow's own
 * reader relies on: the 48-byte footer and its magic number, every block handle against the file's size (TensorFlow
 * allocates {@code handle.size} bytes before it checks anything), each block's compression type and masked crc32c,
 * each block's restart array and prefix-compressed entries, and keys in strictly increasing order, consistent with
 * the index block's separators (TensorFlow finds a key by binary search over both).
 *
 * <p>Layout: {@code [data block]* [metaindex block] [index block] [footer]}; every block is followed by a 1-byte
 * compression type and a 4-byte masked crc32c of block + type; the footer holds the metaindex and index
 * {@code BlockHandle}s (varint64 offset, varint64 size), zero padding to 40 bytes, then the magic number. The index
 * block maps a separator key to the handle of each data block. TensorFlow never reads the metaindex block.
 */
final class SsTable {
  static final int FOOTER_LENGTH = 48;
  static final long MAGIC = 0xdb4775248b80fb57L;
  /** A block's trailer: compression type (1 byte) + masked crc32c (4 bytes). */
  static final int TRAILER_LENGTH = 5;
  static final int NO_COMPRESSION = 0;
  private static final int MASK_DELTA = 0xa282ead8;

  /** One key/value pair, in the table's order. */
  record Entry(byte[] key, byte[] value) {}

  /** A malformed table; the message says what is wrong, without the file (the caller names it). */
  static final class FormatException extends Exception {
    FormatException(String message) {
      super(message);
    }
  }

  private final byte[] file;

  private SsTable(byte[] file) {
    this.file = file;
  }

  /** Every entry of the table held in {@code file}, in key order. */
  static List<Entry> read(byte[] file) throws FormatException {
    return new SsTable(file).entries();
  }

  private List<Entry> entries() throws FormatException {
    if (file.length < FOOTER_LENGTH) {
      throw new FormatException("it is " + file.length + " bytes long, too short to be an sstable (the footer alone "
          + "takes " + FOOTER_LENGTH + ")");
    }
    int footer = file.length - FOOTER_LENGTH;
    ByteBuffer magic = ByteBuffer.wrap(file, file.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
    if (magic.getLong() != MAGIC) {
      throw new FormatException("it is not an sstable: the footer's magic number is wrong");
    }
    Cursor c = new Cursor(file, footer, footer + FOOTER_LENGTH - 8);
    c.handle("the footer's metaindex handle"); // decoded as TensorFlow does, never read
    long[] indexHandle = c.handle("the footer's index handle");
    List<Entry> indexEntries = block(indexHandle, footer, "the index block");
    List<Entry> out = new ArrayList<>();
    byte[] previousSeparator = null;
    for (int i = 0; i < indexEntries.size(); i++) {
      Entry sep = indexEntries.get(i);
      String where = "data block " + i;
      Cursor h = new Cursor(sep.value(), 0, sep.value().length);
      List<Entry> entries = block(h.handle("the index entry of " + where), footer, where);
      if (entries.isEmpty()) {
        continue;
      }
      byte[] first = entries.get(0).key();
      if ((!out.isEmpty() && compare(out.get(out.size() - 1).key(), first) >= 0)
          || (previousSeparator != null && compare(previousSeparator, first) >= 0)) {
        throw new FormatException("the keys of " + where + " do not follow those of the block before it");
      }
      if (compare(entries.get(entries.size() - 1).key(), sep.key()) > 0) {
        throw new FormatException("the last key of " + where + " sorts after its separator in the index block");
      }
      out.addAll(entries);
      previousSeparator = sep.key();
    }
    return out;
  }

  /** Reads the block at {@code handle} (which must end before {@code limit}), checking its trailer and entries. */
  private List<Entry> block(long[] handle, int limit, String what) throws FormatException {
    long offset = handle[0];
    long size = handle[1];
    if (offset < 0 || size < 0 || size > limit || offset > limit - size - TRAILER_LENGTH) {
      throw new FormatException(what + " is declared at bytes [" + Long.toUnsignedString(offset) + ", +"
          + Long.toUnsignedString(size) + " + " + TRAILER_LENGTH + "), outside the " + limit + " bytes before the "
          + "footer");
    }
    int start = (int) offset;
    int n = (int) size;
    int type = file[start + n] & 0xff;
    CRC32C crc = new CRC32C();
    crc.update(file, start, n + 1);
    int stored = ByteBuffer.wrap(file, start + n + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (unmask(stored) != (int) crc.getValue()) {
      throw new FormatException(what + " fails its block checksum (crc32c)");
    }
    if (type != NO_COMPRESSION) {
      throw new FormatException(what + " has compression type " + type + "; TensorFlow writes bundle indexes "
          + "uncompressed (type 0) and kerasj reads no other");
    }
    return entries(Arrays.copyOfRange(file, start, start + n), what);
  }

  /** The entries of one block's contents: prefix-compressed entries, then the restart array and its length. */
  static List<Entry> entries(byte[] block, String what) throws FormatException {
    if (block.length < 4) {
      throw new FormatException(what + " is " + block.length + " bytes, too short to hold its restart count");
    }
    ByteBuffer le = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    long restarts = Integer.toUnsignedLong(le.getInt(block.length - 4));
    if (restarts > (block.length - 4) / 4) {
      throw new FormatException(what + " declares " + restarts + " restart points, more than its "
          + block.length + " bytes can hold");
    }
    int limit = block.length - 4 - 4 * (int) restarts;
    List<Entry> out = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    List<Integer> shares = new ArrayList<>();
    byte[] key = new byte[0];
    Cursor c = new Cursor(block, 0, limit);
    while (c.pos < limit) {
      int entryStart = c.pos;
      long shared = c.varint32(what);
      long nonShared = c.varint32(what);
      long valueLength = c.varint32(what);
      if (shared > key.length || nonShared + valueLength > limit - c.pos) {
        throw new FormatException(what + " has a malformed entry at byte " + entryStart);
      }
      byte[] next = Arrays.copyOf(key, (int) (shared + nonShared));
      System.arraycopy(block, c.pos, next, (int) shared, (int) nonShared);
      byte[] value = Arrays.copyOfRange(block, c.pos + (int) nonShared, c.pos + (int) (nonShared + valueLength));
      c.pos += (int) (nonShared + valueLength);
      if (!out.isEmpty() && compare(key, next) >= 0) {
        throw new FormatException(what + " has keys out of order at byte " + entryStart);
      }
      starts.add(entryStart);
      shares.add((int) shared);
      out.add(new Entry(next, value));
      key = next;
    }
    checkRestarts(le, limit, (int) restarts, starts, shares, what);
    return out;
  }

  /** Each restart point starts an entry that shares no key bytes (TensorFlow's Seek demands it), in order. */
  private static void checkRestarts(ByteBuffer le, int limit, int restarts, List<Integer> starts,
      List<Integer> shares, String what) throws FormatException {
    if (restarts == 0 && !starts.isEmpty()) {
      throw new FormatException(what + " holds entries but no restart point (TensorFlow would read it as empty)");
    }
    int previous = -1;
    for (int i = 0; i < restarts; i++) {
      int point = le.getInt(limit + 4 * i);
      int at = java.util.Collections.binarySearch(starts, point);
      if (point <= previous || at < 0 || shares.get(at) != 0 || (i == 0 && point != 0)) {
        throw new FormatException(what + " has a bad restart point " + Integer.toUnsignedString(point));
      }
      previous = point;
    }
  }

  /** LevelDB's masked crc32c, undone: {@code rot = masked - 0xa282ead8; crc = rot >>> 17 | rot << 15}. */
  static int unmask(int masked) {
    int rot = masked - MASK_DELTA;
    return (rot >>> 17) | (rot << 15);
  }

  /** LevelDB's crc32c mask: rotate right by 15 bits, then add {@code 0xa282ead8}. */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** Bytewise unsigned comparison, LevelDB's default comparator. */
  static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** Reads varints from {@code bytes[pos, limit)}. */
  static final class Cursor {
    private final byte[] bytes;
    private final int limit;
    int pos;

    Cursor(byte[] bytes, int pos, int limit) {
      this.bytes = bytes;
      this.pos = pos;
      this.limit = limit;
    }

    /** A varint of at most 5 bytes whose value fits 32 bits, as an unsigned value. */
    long varint32(String what) throws FormatException {
      long v = varint(5, what);
      if (v > 0xffffffffL) {
        throw new FormatException(what + " has a varint32 larger than 32 bits at byte " + pos);
      }
      return v;
    }

    /** A BlockHandle: varint64 offset, varint64 size (a value above 2^63 comes back negative). */
    long[] handle(String what) throws FormatException {
      return new long[] {varint(10, what), varint(10, what)};
    }

    private long varint(int maxBytes, String what) throws FormatException {
      long v = 0;
      for (int i = 0; i < maxBytes; i++) {
        if (pos >= limit) {
          throw new FormatException(what + " ends inside a varint");
        }
        int b = bytes[pos++] & 0xff;
        v |= (long) (b & 0x7f) << (7 * i);
        if (b < 0x80) {
          return v;
        }
      }
      throw new FormatException(what + " has a varint longer than " + maxBytes + " bytes");
    }
  }
}
