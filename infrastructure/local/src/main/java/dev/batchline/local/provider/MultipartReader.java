package dev.batchline.local.provider;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A streaming multipart/form-data reader: part bodies go straight to an output, never whole into memory. */
final class MultipartReader {

    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean finished;

    MultipartReader(InputStream body, String boundary) throws IOException {
        // Seen with a leading CRLF, the first boundary looks like every other delimiter.
        this.in = new SequenceInputStream(new ByteArrayInputStream("\r\n".getBytes(StandardCharsets.US_ASCII)), body);
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        if (!copyUntil(delimiter, OutputStream.nullOutputStream())) {
            throw new IOException("the multipart body has no boundary");
        }
        afterDelimiter();
    }

    /** The next part's headers (names in lower case), or null after the last part. */
    Map<String, String> nextPart() throws IOException {
        if (finished) {
            return null;
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        if (!copyUntil(HEADER_END, new BoundedOutput(raw, MAX_HEADER_BYTES))) {
            throw new IOException("a multipart part ends inside its headers");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : raw.toString(StandardCharsets.UTF_8).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /** Copies the current part's body to {@code out}; returns its length. */
    long copyBody(OutputStream out) throws IOException {
        CountingOutput counting = new CountingOutput(out);
        if (!copyUntil(delimiter, counting)) {
            throw new IOException("the multipart body ends inside a part");
        }
        afterDelimiter();
        return counting.count;
    }

    /** A delimiter is followed by "--" (the end) or CRLF (another part). */
    private void afterDelimiter() throws IOException {
        if (!fill(2)) {
            throw new IOException("the multipart body ends after a boundary");
        }
        finished = buffer[position] == '-' && buffer[position + 1] == '-';
        position += 2;
    }

    /** Copies bytes up to {@code marker} to {@code out} and consumes the marker; false at the end of input. */
    private boolean copyUntil(byte[] marker, OutputStream out) throws IOException {
        while (true) {
            boolean more = fill(marker.length);
            int found = indexOf(marker);
            if (found >= 0) {
                out.write(buffer, position, found - position);
                position = found + marker.length;
                return true;
            }
            if (!more) {
                return false;
            }
            // Keep what could be the start of the marker.
            int safe = limit - (marker.length - 1);
            if (safe > position) {
                out.write(buffer, position, safe - position);
                position = safe;
            }
            compactAndRead();
        }
    }

    private int indexOf(byte[] marker) {
        outer:
        for (int i = position; i <= limit - marker.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (buffer[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Makes at least {@code wanted} bytes available when the input has them; false when it ended first. */
    private boolean fill(int wanted) throws IOException {
        while (limit - position < wanted) {
            if (!compactAndRead()) {
                return false;
            }
        }
        return true;
    }

    private boolean compactAndRead() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    private static final class CountingOutput extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private int left;

        BoundedOutput(OutputStream out, int max) {
            this.out = out;
            this.left = max;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                throw new IOException("multipart part headers are longer than " + MAX_HEADER_BYTES + " bytes");
            }
            left -= len;
            out.write(Arrays.copyOfRange(b, off, off + len));
        }
    }
}
