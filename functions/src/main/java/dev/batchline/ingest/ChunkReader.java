package dev.batchline.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a stream as chunks of whole lines, so each chunk can be parsed in one go. Memory is bounded
 * by the longest line kept ({@code maxLineBytes}), never by the file: the buffer grows only to fit
 * one such line, and a longer line is skipped, counted and reported as oversized.
 * A UTF-8 byte order mark at the start of a file is dropped.
 */
final class ChunkReader {

    private static final int LINE_ENDING_SLACK = 2; // "\r\n" after a line of the largest size

    private final InputStream in;
    private final int capacityLimit;
    private byte[] buffer;
    private int limit;
    private int chunkEnd;
    private long bytesRead;
    private long oversizedLineBytes;
    private boolean endOfInput;
    private boolean started;

    /** @param startOfFile whether {@code in} starts at the beginning of a file, where a byte order mark may be */
    ChunkReader(InputStream in, int readBufferBytes, int maxLineBytes, boolean startOfFile) {
        this.in = in;
        this.started = !startOfFile;
        this.capacityLimit = Math.max(readBufferBytes, maxLineBytes + LINE_ENDING_SLACK);
        this.buffer = new byte[Math.min(readBufferBytes, capacityLimit)];
    }

    /** What {@link #next()} found. */
    enum Kind { CHUNK, OVERSIZED_LINE, END }

    /**
     * Moves to the next chunk: whole lines in {@code array()[0, length())}, the last one ending with
     * {@code \n} unless it is the end of the input. Or an oversized line, already skipped.
     */
    Kind next() throws IOException {
        dropChunk();
        int scanned = 0;
        while (true) {
            int newline = lastNewline(scanned);
            if (newline >= 0) {
                chunkEnd = newline + 1;
                return Kind.CHUNK;
            }
            scanned = limit;
            if (endOfInput) {
                chunkEnd = limit;
                return limit > 0 ? Kind.CHUNK : Kind.END;
            }
            if (limit == buffer.length) {
                if (buffer.length == capacityLimit) {
                    skipOversizedLine();
                    return Kind.OVERSIZED_LINE;
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(capacityLimit, buffer.length * 2L));
            }
            fill();
        }
    }

    byte[] array() {
        return buffer;
    }

    int length() {
        return chunkEnd;
    }

    /** Bytes of the stream read so far, byte order mark included. */
    long bytesRead() {
        return bytesRead;
    }

    /** Length of the oversized line just skipped, its line ending included. */
    long oversizedLineBytes() {
        return oversizedLineBytes;
    }

    private void dropChunk() {
        if (chunkEnd > 0) {
            started = true;
            System.arraycopy(buffer, chunkEnd, buffer, 0, limit - chunkEnd);
            limit -= chunkEnd;
            chunkEnd = 0;
        }
    }

    private int lastNewline(int from) {
        for (int i = limit - 1; i >= from; i--) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void fill() throws IOException {
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            endOfInput = true;
            return;
        }
        bytesRead += n;
        limit += n;
        if (!started && limit >= 3) {
            started = true;
            if ((buffer[0] & 0xFF) == 0xEF && (buffer[1] & 0xFF) == 0xBB && (buffer[2] & 0xFF) == 0xBF) {
                System.arraycopy(buffer, 3, buffer, 0, limit - 3);
                limit -= 3;
            }
        }
    }

    /** The buffer is full of one line longer than allowed: discard it up to and including its newline. */
    private void skipOversizedLine() throws IOException {
        long skipped = limit;
        limit = 0;
        while (true) {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                endOfInput = true;
                break;
            }
            bytesRead += n;
            int newline = -1;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            if (newline >= 0) {
                skipped += newline + 1;
                System.arraycopy(buffer, newline + 1, buffer, 0, n - newline - 1);
                limit = n - newline - 1;
                break;
            }
            skipped += n;
        }
        oversizedLineBytes = skipped;
    }
}
