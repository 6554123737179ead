package dev.batchline.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Strict UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
final class Utf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /**
     * Offset of the first byte of the first malformed sequence, relative to {@code from}, or -1 when
     * well-formed. ASCII runs are skipped 32 bytes at a time, so ASCII text costs little.
     */
    static int firstInvalid(byte[] bytes, int from, int length) {
        int end = from + length;
        int i = from;
        while (i < end) {
            if (i + 32 <= end && (((long) LONGS.get(bytes, i) | (long) LONGS.get(bytes, i + 8)
                    | (long) LONGS.get(bytes, i + 16) | (long) LONGS.get(bytes, i + 24)) & HIGH_BITS) == 0) {
                i += 32;
                continue;
            }
            if (i + 8 <= end && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int need;
            int min = 0x80;
            int max = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                min = b == 0xE0 ? 0xA0 : 0x80;
                max = b == 0xED ? 0x9F : 0xBF;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                min = b == 0xF0 ? 0x90 : 0x80;
                max = b == 0xF4 ? 0x8F : 0xBF;
            } else {
                return i - from;
            }
            if (i + need >= end) {
                return i - from;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < min || second > max) {
                return i - from;
            }
            for (int k = 2; k <= need; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return i - from;
                }
            }
            i += need + 1;
        }
        return -1;
    }
}
