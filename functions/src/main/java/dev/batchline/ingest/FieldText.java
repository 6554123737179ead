package dev.batchline.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * A string field's value, kept so it outlives the next token. When the value is expected (the
 * file's first url or model, "POST"), its raw bytes are compared in the chunk first: the common
 * case then costs no decoding, and Jackson skips the string as it skips any other.
 */
final class FieldText {
    char[] chars = new char[64];
    int length;
    JsonToken token;
    boolean expected;

    void read(JsonParser parser, JsonToken current) throws IOException {
        read(parser, current, null, null, 0, 0);
    }

    /** {@code chunk[from, to)} is what the parser parses; {@code wanted} the UTF-8 of the expected value. */
    void read(JsonParser parser, JsonToken current, byte[] wanted, byte[] chunk, int from, int to)
            throws IOException {
        token = current;
        expected = false;
        if (current != JsonToken.VALUE_STRING) {
            length = -1;
            return;
        }
        if (wanted != null) {
            int start = from + (int) parser.currentTokenLocation().getByteOffset() + 1;
            int end = start + wanted.length;
            if (end < to && chunk[end] == '"' && Arrays.equals(chunk, start, end, wanted, 0, wanted.length)) {
                expected = true;
                length = 0;
                return;
            }
        }
        length = parser.getTextLength();
        if (length > chars.length) {
            chars = new char[Math.max(length, chars.length * 2)];
        }
        System.arraycopy(parser.getTextCharacters(), parser.getTextOffset(), chars, 0, length);
    }

    boolean isString() {
        return length >= 0 && token == JsonToken.VALUE_STRING;
    }

    boolean isEmpty() {
        return !expected && length == 0;
    }

    boolean sameAs(char[] other) {
        return expected || other != null && isString() && Arrays.equals(chars, 0, length, other, 0, other.length);
    }

    @Override
    public String toString() {
        return new String(chars, 0, length);
    }

    void clear() {
        token = null;
        length = -1;
        expected = false;
    }
}
