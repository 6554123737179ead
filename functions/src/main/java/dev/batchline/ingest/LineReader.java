package dev.batchline.ingest;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines with memory bounded by the largest line kept, not by the file.
 * A line longer than the limit is counted but not kept. A line that fits in the read buffer is
 * handed out in place, without a copy.
 */
final class LineReader {

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] readBuffer;
    private int position;
    private int limit;
    private boolean endOfInput;

    private byte[] spillBuffer = new byte[1024];
    private byte[] lineArray;
    private int lineOffset;
    private int lineLength;
    private long rawLength;
    private boolean oversized;
    private boolean nonAscii;

    LineReader(InputStream in, int maxLineBytes, int readBufferBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.readBuffer = new byte[readBufferBytes];
    }

    /**
     * Moves to the next line; false at the end of input. A final line ending does not start another
     * (empty) line.
     */
    boolean next() throws IOException {
        boolean spilled = false;
        oversized = false;
        byte highBits = 0;
        lineLength = 0;
        rawLength = 0;
        while (true) {
            if (position >= limit) {
                fill();
                if (endOfInput) {
                    if (rawLength == 0) {
                        return false;
                    }
                    break;
                }
            }
            int start = position;
            int i = start;
            byte[] buf = readBuffer;
            int end = limit;
            while (i < end) {
                byte b = buf[i];
                if (b == '\n') {
                    break;
                }
                highBits |= b;
                i++;
            }
            int chunk = i - start;
            if (i < end) {
                rawLength += chunk + 1;
                position = i + 1;
                if (spilled) {
                    spill(buf, start, chunk);
                } else {
                    lineArray = buf;
                    lineOffset = start;
                    lineLength = chunk;
                }
                break;
            }
            rawLength += chunk;
            position = end;
            spill(buf, start, chunk);
            spilled = true;
        }
        if (spilled) {
            lineArray = spillBuffer;
            lineOffset = 0;
        }
        if (!oversized && lineLength > 0 && lineArray[lineOffset + lineLength - 1] == '\r') {
            lineLength--;
        }
        if (lineLength > maxLineBytes) {
            oversized = true;
        }
        if (oversized) {
            lineLength = 0;
        }
        nonAscii = highBits < 0;
        return true;
    }

    private void spill(byte[] source, int from, int count) {
        if (oversized) {
            return;
        }
        // One byte of slack for a '\r' that the line ending will strip.
        if ((long) lineLength + count > (long) maxLineBytes + 1) {
            oversized = true;
            lineLength = 0;
            return;
        }
        if (lineLength + count > spillBuffer.length) {
            int wanted = Math.max(lineLength + count, Math.min(spillBuffer.length * 2, maxLineBytes + 1));
            spillBuffer = java.util.Arrays.copyOf(spillBuffer, wanted);
        }
        System.arraycopy(source, from, spillBuffer, lineLength, count);
        lineLength += count;
    }

    private void fill() throws IOException {
        position = 0;
        limit = 0;
        while (limit == 0) {
            int n = in.read(readBuffer, 0, readBuffer.length);
            if (n < 0) {
                endOfInput = true;
                return;
            }
            limit = n;
        }
    }

    /** The array holding the current line; valid until the next call of {@link #next()}. */
    byte[] array() {
        return lineArray;
    }

    int offset() {
        return lineOffset;
    }

    /** Length of the line without its ending ({@code \n} or {@code \r\n}); 0 when oversized. */
    int length() {
        return lineLength;
    }

    /** Bytes the line took in the input, line ending included. */
    long rawLength() {
        return rawLength;
    }

    /** The line is longer than the limit; its bytes were not kept. */
    boolean oversized() {
        return oversized;
    }

    /** The line has a byte outside ASCII, so its UTF-8 needs checking. */
    boolean nonAscii() {
        return nonAscii;
    }
}
