package dev.batchline.ingest;

/** Strict UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
final class Utf8 {

    private Utf8() {
    }

    /** Offset of the first byte of the first malformed sequence, relative to {@code from}, or -1 when well-formed. */
    static int firstInvalid(byte[] bytes, int from, int length) {
        int end = from + length;
        int i = from;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            int max = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
                min = 0x80;
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
