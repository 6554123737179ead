package dev.batchline.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /** {@code chunk[from, to)} is what the parser parses; {@code wanted} the UTF-8 of the expected value. */
    void read(JsonParser parser, JsonToken current, byte[] wanted, byte[] chunk, int from, int to)
            throws IOException {
        if (current != JsonToken.VALUE_STRING) {
            notString(current);
            return;
        }
        if (wanted != null) {
            int start = from + (int) parser.currentTokenLocation().getByteOffset() + 1;
            int end = start + wanted.length;
            if (end < to && chunk[end] == '"' && Arrays.equals(chunk, start, end, wanted, 0, wanted.length)) {
                expected();
                return;
            }
        }
        token = current;
        expected = false;
        length = parser.getTextLength();
        if (length > chars.length) {
            chars = new char[Math.max(length, chars.length * 2)];
        }
        System.arraycopy(parser.getTextCharacters(), parser.getTextOffset(), chars, 0, length);
    }

    /** A value that is not a string, {@code token} its kind. */
    void notString(JsonToken token) {
        this.token = token;
        expected = false;
        length = -1;
    }

    /** A string equal to the expected value. */
    void expected() {
        token = JsonToken.VALUE_STRING;
        expected = true;
        length = 0;
    }

    /**
     * The string whose JSON text (well-formed UTF-8, valid escapes, no quotes) is {@code bytes[start, end)},
     * decoded as Jackson decodes it: a character above U+FFFF as its surrogate pair, a backslash-u
     * escape as the one UTF-16 unit it names.
     */
    void decode(byte[] bytes, int start, int end) {
        token = JsonToken.VALUE_STRING;
        expected = false;
        if (end - start > chars.length) {
            chars = new char[Math.max(end - start, chars.length * 2)];
        }
        int n = 0;
        int i = start;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (b == '\\') {
                char escaped = (char) bytes[i + 1];
                if (escaped == 'u') {
                    chars[n++] = (char) Integer.parseInt(new String(bytes, i + 2, 4, StandardCharsets.US_ASCII), 16);
                    i += 6;
                    continue;
                }
                chars[n++] = switch (escaped) {
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> escaped; // a quote, a backslash or a slash
                };
                i += 2;
            } else if (b < 0x80) {
                chars[n++] = (char) b;
                i++;
            } else {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                int codePoint = b & (0x7F >> length);
                for (int k = 1; k < length; k++) {
                    codePoint = codePoint << 6 | bytes[i + k] & 0x3F;
                }
                n += Character.toChars(codePoint, chars, n);
                i += length;
            }
        }
        length = n;
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
