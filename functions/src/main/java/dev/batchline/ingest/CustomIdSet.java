package dev.batchline.ingest;

/**
 * The custom_ids seen so far in a file, kept as 128-bit fingerprints with the line each was first
 * seen on: 20 bytes a slot whatever the id's length. The table holds at most the profile's file
 * request limit, so memory is bounded by configuration, never by the ids: 5 million ids take
 * 2²³ slots (160 MB, 240 MB for the moment the table doubles).
 *
 * <p>Two different ids share a fingerprint with a probability of about n²/2¹²⁹ (4·10⁻²⁶ for
 * 5 million ids), far below the rate of undetected hardware errors, so a hit is taken as a duplicate.
 */
final class CustomIdSet {

    private static final int INITIAL_SLOTS = 1 << 10;
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private long[] fingerprints = new long[INITIAL_SLOTS * 2];
    private int[] lines = new int[INITIAL_SLOTS];
    private int size;

    private long h1;
    private long h2;

    /** Adds the id first seen on {@code line}; returns 0 when it is new, else the line it was first seen on. */
    int addIfAbsent(String id, int line) {
        fingerprint(id);
        int earlier = insert(h1, h2, line, fingerprints, lines);
        if (earlier == 0 && ++size > lines.length * 7L / 10) {
            grow();
        }
        return earlier;
    }

    int size() {
        return size;
    }

    private static int insert(long a, long b, int line, long[] table, int[] lineTable) {
        int mask = lineTable.length - 1;
        int slot = (int) (a ^ (a >>> 32)) & mask;
        while (true) {
            long storedA = table[2 * slot];
            long storedB = table[2 * slot + 1];
            if (storedA == 0 && storedB == 0) {
                table[2 * slot] = a;
                table[2 * slot + 1] = b;
                lineTable[slot] = line;
                return 0;
            }
            if (storedA == a && storedB == b) {
                return lineTable[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    private void grow() {
        long[] newFingerprints = new long[fingerprints.length * 2];
        int[] newLines = new int[lines.length * 2];
        for (int slot = 0; slot < lines.length; slot++) {
            long a = fingerprints[2 * slot];
            long b = fingerprints[2 * slot + 1];
            if (a != 0 || b != 0) {
                insert(a, b, lines[slot], newFingerprints, newLines);
            }
        }
        fingerprints = newFingerprints;
        lines = newLines;
    }

    /** MurmurHash3 x64-128 over the id's UTF-16 code units, four to a 64-bit word. */
    private void fingerprint(String id) {
        int length = id.length();
        long a = 0x9747b28cL;
        long b = 0x9747b28cL;
        int blockEnd = length - length % 8;
        for (int i = 0; i < blockEnd; i += 8) {
            long k1 = word(id, i, 4);
            long k2 = word(id, i + 4, 4);
            a ^= mixK1(k1);
            a = Long.rotateLeft(a, 27) + b;
            a = a * 5 + 0x52dce729;
            b ^= mixK2(k2);
            b = Long.rotateLeft(b, 31) + a;
            b = b * 5 + 0x38495ab5;
        }
        int tail = length - blockEnd;
        if (tail > 4) {
            b ^= mixK2(word(id, blockEnd + 4, tail - 4));
        }
        if (tail > 0) {
            a ^= mixK1(word(id, blockEnd, Math.min(tail, 4)));
        }
        a ^= 2L * length;
        b ^= 2L * length;
        a += b;
        b += a;
        a = fmix(a);
        b = fmix(b);
        a += b;
        b += a;
        if (a == 0 && b == 0) {
            b = 1; // (0, 0) marks an empty slot
        }
        h1 = a;
        h2 = b;
    }

    private static long word(String s, int from, int chars) {
        long k = 0;
        for (int j = 0; j < chars; j++) {
            k |= (long) s.charAt(from + j) << (16 * j);
        }
        return k;
    }

    private static long mixK1(long k) {
        return Long.rotateLeft(k * C1, 31) * C2;
    }

    private static long mixK2(long k) {
        return Long.rotateLeft(k * C2, 33) * C1;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
