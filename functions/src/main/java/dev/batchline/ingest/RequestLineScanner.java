package dev.batchline.ingest;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads a request line the way nearly every line of a batch file is written, without a general
 * parser: one JSON object on the line, plain keys, the fields the rules look at as plain ASCII
 * strings. Long string values (the prompts, most of a file) are skipped eight bytes at a time.
 *
 * <p>It takes a line only when it is sure: strict JSON (RFC 8259, as Jackson reads it by default),
 * every limit well inside Jackson's, no key the rules read twice. Anything else (an escape in a key,
 * a syntax error, a second value, a blank line) it
 * {@linkplain #scan refuses}, and the validator gives the line to Jackson, whose verdict and
 * messages the report keeps. It may refuse a valid line, never accept one Jackson would not, and
 * what it reads into {@link RequestFields} is what Jackson's reading would have put there.
 *
 * <p>The bytes are well-formed UTF-8 (the validator checks that first), so multi-byte characters
 * need no look inside strings.
 */
final class RequestLineScanner {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * ' ';

    // Far inside Jackson's limits (1000-digit numbers, 50,000-byte names): near one, Jackson decides.
    private static final int MAX_DEPTH = 64;
    private static final int MAX_NUMBER_CHARS = 100;
    private static final int MAX_NAME_BYTES = 1024;
    /** A string of no more UTF-8 bytes than Jackson's limit of characters has no more characters: an image in base64 passes. */
    private static final int MAX_STRING_BYTES = StreamReadConstraints.DEFAULT_MAX_STRING_LEN;

    private static final byte[] CUSTOM_ID = bytes("custom_id");
    private static final byte[] METHOD = bytes("method");
    private static final byte[] URL = bytes("url");
    private static final byte[] BODY = bytes("body");
    private static final byte[] MODEL = bytes("model");
    private static final byte[] STREAM = bytes("stream");
    private static final byte[] MESSAGES = bytes("messages");
    private static final byte[] INPUT = bytes("input");
    private static final byte[] PROMPT = bytes("prompt");

    /** Containers that may enclose a container: Jackson's nesting limit, at most {@link #MAX_DEPTH}. */
    private final int maxEnclosing;

    private final Member requestMember = this::requestMember;
    private final Member bodyMember = this::bodyMember;

    // The line being scanned, and what it is read into.
    private byte[] bytes;
    private int to;
    private int position;
    private int valueStart;
    private int valueEnd;
    private RequestFields fields;
    private byte[] expectedUrl;
    private byte[] expectedModel;

    RequestLineScanner(int maxNestingDepth) {
        this.maxEnclosing = Math.min(MAX_DEPTH, maxNestingDepth);
    }

    /**
     * Reads the line at {@code from} in {@code bytes[from, to)}: true when it is one request object
     * read into {@code fields} ({@code expectedUrl} and {@code expectedModel} the UTF-8 of the
     * values most lines repeat, or null); false when Jackson must read it. After true,
     * {@link #valueStart()}, {@link #valueEnd()} and {@link #lineEnd()} say where the object and
     * the line are.
     */
    boolean scan(byte[] bytes, int from, int to, RequestFields fields, byte[] expectedUrl, byte[] expectedModel) {
        this.bytes = bytes;
        this.to = to;
        position = from;
        skipBlanks();
        if (position >= to || bytes[position] != '{') {
            return false;
        }
        valueStart = position;
        this.fields = fields;
        this.expectedUrl = expectedUrl;
        this.expectedModel = expectedModel;
        fields.clear();
        if (!members(requestMember)) {
            return false;
        }
        valueEnd = position;
        skipBlanks();
        if (position < to && bytes[position] == '\r') {
            position++;
            if (position < to && bytes[position] != '\n') {
                return false; // a lone carriage return ends a line for Jackson
            }
        }
        if (position < to) {
            if (bytes[position] != '\n') {
                return false;
            }
            position++;
        }
        return true;
    }

    /** Where the request object starts. */
    int valueStart() {
        return valueStart;
    }

    /** Just past the request object's closing brace. */
    int valueEnd() {
        return valueEnd;
    }

    /** Just past the line's newline, or the end of what was scanned. */
    int lineEnd() {
        return position;
    }

    /** Reads the value of the member whose name is {@code bytes[nameStart, nameEnd)}; false to refuse the line. */
    private interface Member {
        boolean read(int nameStart, int nameEnd);
    }

    /** The members of the object whose brace is at the current position, each value read by {@code member}. */
    private boolean members(Member member) {
        position++;
        skipBlanks();
        if (at('}')) {
            position++;
            return true;
        }
        while (true) {
            int nameStart = position + 1;
            if (!plainName()) {
                return false;
            }
            int nameEnd = position - 1;
            if (!colon() || !member.read(nameStart, nameEnd) || !next('}')) {
                return false;
            }
            if (bytes[position - 1] == '}') {
                return true;
            }
        }
    }

    private boolean requestMember(int nameStart, int nameEnd) {
        if (is(CUSTOM_ID, nameStart, nameEnd)) {
            return fields.customId.token == null && field(fields.customId, null);
        }
        if (is(METHOD, nameStart, nameEnd)) {
            return fields.method.token == null && field(fields.method, RequestFields.POST_BYTES);
        }
        if (is(URL, nameStart, nameEnd)) {
            return fields.url.token == null && field(fields.url, expectedUrl);
        }
        if (is(BODY, nameStart, nameEnd)) {
            if (fields.bodyToken != null) {
                return false;
            }
            if (at('{')) {
                fields.bodyToken = JsonToken.START_OBJECT;
                return maxEnclosing > 1 && members(bodyMember);
            }
            return (fields.bodyToken = skipValue(1)) != null;
        }
        return skipValue(1) != null;
    }

    private boolean bodyMember(int nameStart, int nameEnd) {
        if (is(MODEL, nameStart, nameEnd)) {
            return fields.model.token == null && field(fields.model, expectedModel);
        }
        if (is(STREAM, nameStart, nameEnd)) {
            return fields.streamToken == null && (fields.streamToken = skipValue(2)) != null;
        }
        JsonToken token = skipValue(2);
        if (token == null) {
            return false;
        }
        if (token != JsonToken.VALUE_NULL) {
            if (is(MESSAGES, nameStart, nameEnd)) {
                fields.present(RequestFields.BODY_HAS_MESSAGES);
            } else if (is(INPUT, nameStart, nameEnd)) {
                fields.present(RequestFields.BODY_HAS_INPUT);
            } else if (is(PROMPT, nameStart, nameEnd)) {
                fields.present(RequestFields.BODY_HAS_PROMPT);
            }
        }
        return true;
    }

    /** A field the rules read: a string is kept decoded (or known as the expected one), any other value by its kind. */
    private boolean field(FieldText field, byte[] wanted) {
        if (!at('"')) {
            JsonToken token = skipValue(2);
            if (token == null) {
                return false;
            }
            field.notString(token);
            return true;
        }
        int start = position + 1;
        if (!skipString(MAX_STRING_BYTES)) {
            return false;
        }
        int end = position - 1;
        if (wanted != null && Arrays.equals(bytes, start, end, wanted, 0, wanted.length)) {
            field.expected();
        } else {
            field.decode(bytes, start, end);
        }
        return true;
    }

    /** After a value: white space, then a comma and the next member or element, or {@code close}. */
    private boolean next(char close) {
        skipBlanks();
        if (at(',')) {
            position++;
            skipBlanks();
            return close != '}' || at('"');
        }
        if (at(close)) {
            position++;
            return true;
        }
        return false;
    }

    private boolean colon() {
        skipBlanks();
        if (!at(':')) {
            return false;
        }
        position++;
        skipBlanks();
        return position < to;
    }

    /** Skips the value at the current position inside {@code depth} containers; its kind, or null to refuse. */
    private JsonToken skipValue(int depth) {
        if (position >= to) {
            return null;
        }
        switch (bytes[position]) {
            case '"':
                return skipString(MAX_STRING_BYTES) ? JsonToken.VALUE_STRING : null;
            case '{':
                return skipContainer(depth, '}') ? JsonToken.START_OBJECT : null;
            case '[':
                return skipContainer(depth, ']') ? JsonToken.START_ARRAY : null;
            case 't':
                return literal("true") ? JsonToken.VALUE_TRUE : null;
            case 'f':
                return literal("false") ? JsonToken.VALUE_FALSE : null;
            case 'n':
                return literal("null") ? JsonToken.VALUE_NULL : null;
            default:
                return skipNumber();
        }
    }

    /** Skips the object or array whose opening bracket is at the current position, inside {@code depth} containers. */
    private boolean skipContainer(int depth, char close) {
        if (depth >= maxEnclosing) {
            return false;
        }
        position++;
        skipBlanks();
        if (at(close)) {
            position++;
            return true;
        }
        while (true) {
            if (close == '}' && !(skipName() && colon()) || skipValue(depth + 1) == null || !next(close)) {
                return false;
            }
            if (bytes[position - 1] == close) {
                return true;
            }
        }
    }

    private boolean skipName() {
        return at('"') && skipString(MAX_NAME_BYTES);
    }

    /** A name the rules may look at: Jackson would decode an escape, so a name with one is refused. */
    private boolean plainName() {
        if (!at('"')) {
            return false;
        }
        int end = position + 1;
        int limit = Math.min(to, end + MAX_NAME_BYTES);
        while (end < limit && bytes[end] != '"' && bytes[end] != '\\' && (bytes[end] < 0 || bytes[end] >= 0x20)) {
            end++;
        }
        if (end >= limit || bytes[end] != '"') {
            return false;
        }
        position = end + 1;
        return true;
    }

    /**
     * Skips the string whose opening quote is at the current position, eight bytes at a time until
     * a quote, a backslash or a control character; false on a bad escape, a control character, no
     * closing quote or more than {@code maxBytes}.
     */
    private boolean skipString(int maxBytes) {
        int start = ++position;
        int limit = Math.min(to, start + maxBytes);
        while (true) {
            while (position + 8 <= limit) {
                long special = special((long) LONGS.get(bytes, position));
                if (special != 0) {
                    // The lowest flagged byte is special for sure: flags above it may be false alarms.
                    position += Long.numberOfTrailingZeros(special) >>> 3;
                    break;
                }
                position += 8;
            }
            if (position >= limit) {
                return false;
            }
            int b = bytes[position];
            if (b == '"') {
                position++;
                return true;
            }
            if (b == '\\') {
                if (!skipEscape()) {
                    return false;
                }
            } else if (b >= 0 && b < 0x20) {
                return false;
            } else {
                position++;
            }
        }
    }

    /**
     * Non-zero when the word may hold a quote, a backslash or a byte below 0x20 (a false alarm only
     * costs the bytes' slow path). Bytes of 0x80 and up are parts of characters, never special.
     */
    private static long special(long word) {
        long quote = word ^ QUOTES;
        long backslash = word ^ BACKSLASHES;
        return ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash | (word - SPACES) & ~word) & HIGH_BITS;
    }

    private boolean skipEscape() {
        if (position + 1 >= to) {
            return false;
        }
        switch (bytes[position + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                position += 2;
                return true;
            }
            case 'u' -> {
                if (position + 6 > to) {
                    return false;
                }
                for (int i = position + 2; i < position + 6; i++) {
                    if (Character.digit(bytes[i], 16) < 0) {
                        return false;
                    }
                }
                position += 6;
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private boolean literal(String word) {
        int end = position + word.length();
        if (end > to) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (bytes[position + i] != word.charAt(i)) {
                return false;
            }
        }
        position = end;
        return true;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, as Jackson takes numbers by default. */
    private JsonToken skipNumber() {
        int start = position;
        boolean integral = true;
        if (at('-')) {
            position++;
        }
        if (at('0')) {
            position++;
        } else if (digits() == 0) {
            return null;
        }
        if (at('.')) {
            integral = false;
            position++;
            if (digits() == 0) {
                return null;
            }
        }
        if (at('e') || at('E')) {
            integral = false;
            position++;
            if (at('+') || at('-')) {
                position++;
            }
            if (digits() == 0) {
                return null;
            }
        }
        if (position - start > MAX_NUMBER_CHARS || position < to && isDigit(bytes[position])) {
            return null; // a long number, or a leading zero ("01"), which Jackson refuses
        }
        return integral ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT;
    }

    private int digits() {
        int start = position;
        while (position < to && isDigit(bytes[position])) {
            position++;
        }
        return position - start;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** White space inside a line: a carriage return or a newline would end the line for Jackson. */
    private void skipBlanks() {
        while (position < to && (bytes[position] == ' ' || bytes[position] == '\t')) {
            position++;
        }
    }

    private boolean at(char c) {
        return position < to && bytes[position] == c;
    }

    private boolean is(byte[] name, int start, int end) {
        return Arrays.equals(bytes, start, end, name, 0, name.length);
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
