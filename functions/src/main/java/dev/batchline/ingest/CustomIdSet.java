package dev.batchline.ingest;

import dev.batchline.ids.Fingerprinter;

/**
 * The custom_ids seen so far in a file, kept as 96-bit fingerprints beside the line each was first
 * seen on: one 16-byte slot whatever the id's length, so a lookup touches one cache line. The
 * table holds at most the profile's file request limit, so memory is bounded by configuration,
 * never by the ids: 5 million ids take 2²³ slots (128 MB, 192 MB for the moment the table doubles).
 *
 * <p>Ids are fingerprinted as they come and inserted in batches ({@link #offer}, {@link #drain}): in
 * a tight loop the processor overlaps the cache misses of many lookups, where one lookup between
 * two parsed lines would wait for memory alone.
 *
 * <p>Two different ids share a {@link Fingerprinter fingerprint} with a probability of about n²/2⁹⁷
 * (2·10⁻¹⁶ for 5 million ids), far below the rate of undetected hardware errors, so a hit is taken
 * as a duplicate.
 */
final class CustomIdSet {

    private static final int INITIAL_SLOTS = 1 << 10;
    private static final long HIGH_HALF = 0xFFFFFFFF00000000L;

    /** Ids offered and not yet drained, with their text kept for the duplicate's message. */
    private static final int BATCH = 256;

    /** Slot i: {@code [2i]} the first 64 fingerprint bits, {@code [2i+1]} 32 more bits above the line number. */
    private long[] slots = new long[INITIAL_SLOTS * 2];
    private int size;

    private final Fingerprinter fingerprinter = new Fingerprinter();

    private final long[] pendingFirst = new long[BATCH];
    private final long[] pendingSecond = new long[BATCH];
    private final int[] pendingTextEnd = new int[BATCH];
    private char[] pendingText = new char[BATCH * 16];
    private int pending;

    /** Told of each id that was already in the set. */
    interface DuplicateListener {
        void duplicate(int line, int earlierLine, String id);
    }

    /**
     * Queues the id seen on {@code line} (from 1); true when the queue is full and must be
     * {@linkplain #drain drained} before the next offer.
     */
    boolean offer(char[] id, int offset, int length, int line) {
        fingerprinter.hash(id, offset, length);
        pendingFirst[pending] = fingerprinter.first();
        pendingSecond[pending] = ((long) fingerprinter.second() << 32) | Integer.toUnsignedLong(line);
        int textStart = pending == 0 ? 0 : pendingTextEnd[pending - 1];
        if (textStart + length > pendingText.length) {
            pendingText = java.util.Arrays.copyOf(pendingText, Math.max(textStart + length, pendingText.length * 2));
        }
        System.arraycopy(id, offset, pendingText, textStart, length);
        pendingTextEnd[pending] = textStart + length;
        return ++pending == BATCH;
    }

    /** Adds the queued ids in the order they were offered, telling {@code listener} of each duplicate. */
    void drain(DuplicateListener listener) {
        for (int i = 0; i < pending; i++) {
            int earlier = insert(pendingFirst[i], pendingSecond[i], slots);
            if (earlier != 0) {
                int textStart = i == 0 ? 0 : pendingTextEnd[i - 1];
                listener.duplicate((int) pendingSecond[i], earlier,
                        new String(pendingText, textStart, pendingTextEnd[i] - textStart));
            } else if (++size > slots.length / 2 * 7L / 10) {
                grow();
            }
        }
        pending = 0;
    }

    /**
     * Adds the (drained) ids of {@code other}; false when one of them is here already, this set then
     * holding some of them.
     */
    boolean addAll(CustomIdSet other) {
        reserve((long) size + other.size);
        for (int i = 0; i < other.slots.length; i += 2) {
            if (other.slots[i + 1] != 0) {
                if (insert(other.slots[i], other.slots[i + 1], slots) != 0) {
                    return false;
                }
                size++;
            }
        }
        return true;
    }

    /** The fingerprint of the id last {@linkplain #offer offered}. */
    Fingerprinter lastOffered() {
        return fingerprinter;
    }

    int size() {
        return size;
    }

    /** Empty slots hold 0 in the second word: no entry does, since lines start at 1. */
    private static int insert(long first, long second, long[] table) {
        int mask = table.length / 2 - 1;
        int slot = (int) (first ^ (first >>> 32)) & mask;
        while (true) {
            long storedSecond = table[2 * slot + 1];
            if (storedSecond == 0) {
                table[2 * slot] = first;
                table[2 * slot + 1] = second;
                return 0;
            }
            if (table[2 * slot] == first && ((storedSecond ^ second) & HIGH_HALF) == 0) {
                return (int) storedSecond;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Makes room for {@code expected} ids at once, sparing the rehashing of growing step by step. */
    void reserve(long expected) {
        long slotsNeeded = expected * 10 / 7 + 1;
        if (slotsNeeded > slots.length / 2) {
            resize(Long.highestOneBit(slotsNeeded - 1) << 1);
        }
    }

    private void grow() {
        resize(slots.length);
    }

    private void resize(long slotCount) {
        long[] larger = new long[Math.toIntExact(slotCount * 2)];
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i + 1] != 0) {
                insert(slots[i], slots[i + 1], larger);
            }
        }
        slots = larger;
    }
}
