package dev.batchline.ids;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Collects a part's custom_id fingerprints in line order, then writes them as a {@link PartIndex}:
 * an open-addressing hash table from fingerprint to line, laid out so that one lookup reads one
 * small range of the object. Memory is 12 bytes an id while collecting and 16 bytes a slot while
 * writing (at most 10/7 slots an id, rounded up to a power of two): bounded by the profile's
 * requests per batch.
 */
public final class PartIndexBuilder {

    private long[] firsts = new long[1024];
    private int[] seconds = new int[1024];
    private int size;

    /** The next line's id. */
    public void add(long first, int second) {
        if (size == firsts.length) {
            firsts = Arrays.copyOf(firsts, size * 2);
            seconds = Arrays.copyOf(seconds, size * 2);
        }
        firsts[size] = first;
        seconds[size] = second;
        size++;
    }

    public int size() {
        return size;
    }

    public void writeTo(OutputStream target) throws IOException {
        long slotCount = PartIndex.slotCountFor(size);
        long[] table = new long[Math.toIntExact(slotCount * 2)];
        long mask = slotCount - 1;
        for (int line = 0; line < size; line++) {
            long slot = PartIndex.homeSlot(firsts[line], mask);
            while (table[(int) (2 * slot + 1)] != 0) {
                slot = (slot + 1) & mask;
            }
            table[(int) (2 * slot)] = firsts[line];
            table[(int) (2 * slot + 1)] = ((long) seconds[line] << 32) | (line + 1L);
        }
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, 64 * 1024));
        out.write(PartIndex.MAGIC);
        out.writeLong(slotCount);
        out.writeLong(size);
        out.writeLong(0);
        for (long word : table) {
            out.writeLong(word);
        }
        out.flush();
    }
}
