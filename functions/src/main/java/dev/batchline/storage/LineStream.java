package dev.batchline.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Lines of a stream, one at a time, with the count of bytes consumed so far (a resumable cursor). */
public final class LineStream implements AutoCloseable {

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long consumed;
    private long returned;

    /** {@code startOffset}: where {@code in} starts in the whole object, so cursors stay absolute. */
    public LineStream(InputStream in, long startOffset, int maxLineBytes) {
        this.in = in;
        this.consumed = startOffset;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line without its ending, or null at the end. */
    public byte[] next() throws IOException {
        ByteArrayOutputStream line = null;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (line == null || line.size() == 0) {
                        return null;
                    }
                    returned++;
                    return stripCr(line.toByteArray());
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (line == null) {
                line = new ByteArrayOutputStream(Math.max(256, position - start));
            }
            line.write(buffer, start, position - start);
            consumed += position - start;
            if (line.size() > maxLineBytes) {
                throw new IOException("a line is longer than " + maxLineBytes + " bytes");
            }
            if (position < limit) {
                position++;
                consumed++;
                returned++;
                return stripCr(line.toByteArray());
            }
        }
    }

    /** Lines returned so far by this stream. */
    public long returned() {
        return returned;
    }

    /** Bytes consumed, from the start of the whole object, up to the end of the last line returned. */
    public long consumed() {
        return consumed;
    }

    private static byte[] stripCr(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? java.util.Arrays.copyOf(line, line.length - 1) : line;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
