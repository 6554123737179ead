package dev.batchline.ids;

/**
 * MurmurHash3 x64-128 over a custom_id's UTF-16 code units, four to a 64-bit word. Batchline names
 * an id by 96 of the 128 bits: the validator refuses a second id of a file with the same 96 bits as
 * a duplicate, so within a job the fingerprint names exactly one id. Two different ids share one with
 * a probability of about n²/2⁹⁷ (2·10⁻¹⁶ for 5 million ids).
 *
 * <p>One instance is reused for many ids without allocating: {@link #hash} then {@link #first()} and
 * {@link #second()}. Not thread-safe.
 */
public final class Fingerprinter {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private long h1;
    private long h2;

    public void hash(String id) {
        hash(id.toCharArray(), 0, id.length());
    }

    public void hash(char[] id, int offset, int length) {
        long a = 0x9747b28cL;
        long b = 0x9747b28cL;
        int blockEnd = length - length % 8;
        for (int i = 0; i < blockEnd; i += 8) {
            long k1 = word(id, offset + i, 4);
            long k2 = word(id, offset + i + 4, 4);
            a ^= mixK1(k1);
            a = Long.rotateLeft(a, 27) + b;
            a = a * 5 + 0x52dce729;
            b ^= mixK2(k2);
            b = Long.rotateLeft(b, 31) + a;
            b = b * 5 + 0x38495ab5;
        }
        int tail = length - blockEnd;
        if (tail > 4) {
            b ^= mixK2(word(id, offset + blockEnd + 4, tail - 4));
        }
        if (tail > 0) {
            a ^= mixK1(word(id, offset + blockEnd, Math.min(tail, 4)));
        }
        a ^= 2L * length;
        b ^= 2L * length;
        a += b;
        b += a;
        a = fmix(a);
        b = fmix(b);
        a += b;
        b += a;
        h1 = a;
        h2 = b;
    }

    /** The first 64 bits of the last id's fingerprint. */
    public long first() {
        return h1;
    }

    /** The other 32 bits of the last id's fingerprint. */
    public int second() {
        return (int) (h2 >>> 32);
    }

    private static long word(char[] s, int from, int chars) {
        long k = 0;
        for (int j = 0; j < chars; j++) {
            k |= (long) s[from + j] << (16 * j);
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
