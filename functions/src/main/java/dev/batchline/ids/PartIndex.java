package dev.batchline.ids;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A part's custom_ids, from fingerprint to line index (0-based in the part), as written by
 * {@link PartIndexBuilder} beside the staged part and read by range, never held whole: one lookup
 * reads a window of {@value #WINDOW_SLOTS} slots; a round of many ({@link #linesOf}) reads the
 * table in order, once.
 *
 * <p>Layout, big-endian: a 32-byte header ({@code BLIDX001}, slot count, id count, zero), then the
 * slots, 16 bytes each: the fingerprint's first 64 bits, its other 32 bits, and the line index plus
 * one (zero marks an empty slot). An id's home slot comes from its fingerprint; collisions take the
 * next free slot (linear probing, at most 70% full).
 */
public final class PartIndex {

    /** Reads {@code length} bytes at {@code offset} of the index object. */
    @FunctionalInterface
    public interface RangeReader {
        byte[] read(long offset, int length);
    }

    static final byte[] MAGIC = "BLIDX001".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 32;
    static final int SLOT_BYTES = 16;
    static final int WINDOW_SLOTS = 8;
    static final int CHUNK_SLOTS = 64 * 1024;
    private static final int BATCH_BITS = 24;
    private static final long BATCH_MASK = (1L << BATCH_BITS) - 1;
    /** The most lookups {@link #linesOf} takes at once. */
    public static final int MAX_BATCH = 1 << BATCH_BITS;

    private final RangeReader reader;
    private final long slotCount;
    private final long ids;

    private PartIndex(RangeReader reader, long slotCount, long ids) {
        this.reader = reader;
        this.slotCount = slotCount;
        this.ids = ids;
    }

    /** Reads the header; refuses an object that is not an index. */
    public static PartIndex open(RangeReader reader) {
        ByteBuffer header = ByteBuffer.wrap(reader.read(0, HEADER_BYTES));
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalStateException("not a Batchline part index (no " + new String(MAGIC,
                    StandardCharsets.US_ASCII) + " header)");
        }
        return new PartIndex(reader, header.getLong(), header.getLong());
    }

    /** Ids in the part. */
    public long size() {
        return ids;
    }

    /** The line index of the id with this fingerprint, or -1 when the part has no such id. */
    public int lineOf(long first, int second) {
        long mask = slotCount - 1;
        long slot = homeSlot(first, mask);
        for (long scanned = 0; scanned < slotCount; ) {
            int window = (int) Math.min(WINDOW_SLOTS, slotCount - slot);
            ByteBuffer slots = ByteBuffer.wrap(reader.read(HEADER_BYTES + slot * SLOT_BYTES, window * SLOT_BYTES));
            for (int i = 0; i < window; i++) {
                long storedFirst = slots.getLong();
                int storedSecond = slots.getInt();
                int linePlusOne = slots.getInt();
                if (linePlusOne == 0) {
                    return -1;
                }
                if (storedFirst == first && storedSecond == second) {
                    return linePlusOne - 1;
                }
            }
            scanned += window;
            slot = (slot + window) & mask;
        }
        return -1;
    }

    /**
     * The line index of each of {@code count} ids at once (-1 where the part has none), reading the
     * table in the order of the ids' home slots: lookups that lie close together share one range
     * read of up to {@value #CHUNK_SLOTS} slots, so a round of many lookups reads the table once,
     * in order, and a few lookups read a window each.
     */
    public int[] linesOf(long[] firsts, int[] seconds, int count) {
        if (count > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " lookups at once, not " + count);
        }
        long mask = slotCount - 1;
        long[] order = new long[count];
        for (int i = 0; i < count; i++) {
            order[i] = (homeSlot(firsts[i], mask) << BATCH_BITS) | i;
        }
        Arrays.sort(order);
        int[] lines = new int[count];
        int next = 0;
        while (next < count) {
            long start = order[next] >>> BATCH_BITS;
            int last = next;
            while (last + 1 < count && (order[last + 1] >>> BATCH_BITS) < start + CHUNK_SLOTS) {
                last++;
            }
            long end = Math.min(slotCount, (order[last] >>> BATCH_BITS) + WINDOW_SLOTS);
            ByteBuffer chunk = ByteBuffer.wrap(reader.read(HEADER_BYTES + start * SLOT_BYTES,
                    Math.toIntExact((end - start) * SLOT_BYTES)));
            for (int k = next; k <= last; k++) {
                int i = (int) (order[k] & BATCH_MASK);
                lines[i] = probe(chunk, start, end, order[k] >>> BATCH_BITS, firsts[i], seconds[i]);
            }
            next = last + 1;
        }
        return lines;
    }

    /** Linear probing within a chunk read from {@code start}; past its end, on by single windows. */
    private int probe(ByteBuffer chunk, long start, long end, long home, long first, int second) {
        for (long slot = home; slot < end; slot++) {
            int at = Math.toIntExact((slot - start) * SLOT_BYTES);
            int linePlusOne = chunk.getInt(at + 12);
            if (linePlusOne == 0) {
                return -1;
            }
            if (chunk.getLong(at) == first && chunk.getInt(at + 8) == second) {
                return linePlusOne - 1;
            }
        }
        return lineOf(first, second);
    }

    /** Slots for {@code ids} ids: a power of two, at most 70% full. */
    static long slotCountFor(int ids) {
        long needed = ids * 10L / 7 + 1;
        return Math.max(WINDOW_SLOTS, Long.highestOneBit(needed - 1) << 1);
    }

    static long homeSlot(long first, long mask) {
        return (first ^ (first >>> 32)) & mask;
    }
}
