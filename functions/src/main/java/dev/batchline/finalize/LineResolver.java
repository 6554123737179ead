package dev.batchline.finalize;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.batchline.ids.Fingerprinter;
import dev.batchline.ids.PartIndex;
import dev.batchline.storage.LineStream;
import dev.batchline.storage.S3Layout;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
import java.nio.ByteBuffer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Finds the request each line of a copied provider file reports, a round of {@value #ROUND_LINES}
 * lines at a time: the round's custom_ids are read (the field alone), fingerprinted, looked up in
 * the part's {@link PartIndex} together, and the answers kept in S3 as four bytes a line
 * ({@link S3Layout#resolvedLines}). One round holds about 24 bytes a line in memory, whatever the
 * part's size, and reads the index once; the lines are then split into records in slices that
 * read the answers back in order ({@link Answers}).
 */
final class LineResolver {

    /** Lines a round resolves. Stored answers are found by it: changing it strands running parts. */
    static final int ROUND_LINES = 1 << 20;

    private final S3Client s3;
    private final JsonFactory json;
    private final String bucket;

    LineResolver(S3Client s3, JsonFactory json, String bucket) {
        this.s3 = s3;
        this.json = json;
        this.bucket = bucket;
    }

    /** Resolves the round of {@code lines} that starts at line {@code first} of {@code fileKey}. */
    void resolveRound(String fileKey, LineStream lines, long first, PartIndex index) throws IOException {
        if (first % ROUND_LINES != 0) {
            throw new IllegalStateException("a round starts at a multiple of " + ROUND_LINES + ", not " + first);
        }
        long[] firsts = new long[1024];
        int[] seconds = new int[1024];
        int[] ordinals = new int[1024];
        int looked = 0;
        int count = 0;
        Fingerprinter fingerprint = new Fingerprinter();
        byte[] line;
        while (count < ROUND_LINES && (line = lines.next()) != null) {
            String customId = customIdOf(line);
            if (customId != null) {
                if (looked == firsts.length) {
                    firsts = java.util.Arrays.copyOf(firsts, looked * 2);
                    seconds = java.util.Arrays.copyOf(seconds, looked * 2);
                    ordinals = java.util.Arrays.copyOf(ordinals, looked * 2);
                }
                fingerprint.hash(customId);
                firsts[looked] = fingerprint.first();
                seconds[looked] = fingerprint.second();
                ordinals[looked] = count;
                looked++;
            }
            count++;
        }
        int[] found = index.linesOf(firsts, seconds, looked);
        ByteBuffer answers = ByteBuffer.allocate(count * Integer.BYTES);
        for (int i = 0; i < count; i++) {
            answers.putInt(i * Integer.BYTES, -1);
        }
        for (int k = 0; k < looked; k++) {
            answers.putInt(ordinals[k] * Integer.BYTES, found[k]);
        }
        s3.putObject(r -> r.bucket(bucket).key(S3Layout.resolvedLines(fileKey, (int) (first / ROUND_LINES)))
                .contentType("application/octet-stream"), RequestBody.fromByteBuffer(answers));
    }

    /**
     * The line's top-level {@code custom_id} when it is a string; null when it has none, has it
     * twice (which one is meant is anyone's guess), or is no JSON.
     */
    private String customIdOf(byte[] line) {
        try (JsonParser parser = json.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String customId = null;
            boolean seen = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = "custom_id".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (wanted) {
                    if (seen) {
                        return null;
                    }
                    seen = true;
                    customId = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                }
                parser.skipChildren();
            }
            return customId;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** The stored answers of a file, in line order from a given line. */
    final class Answers implements AutoCloseable {
        private final String fileKey;
        private long line;
        private DataInputStream in;

        Answers(String fileKey, long fromLine) {
            this.fileKey = fileKey;
            this.line = fromLine;
        }

        /** The part's line index of the next line's request, -1 for none. */
        int next() throws IOException {
            if (in == null || line % ROUND_LINES == 0) {
                close();
                long from = (line % ROUND_LINES) * Integer.BYTES;
                String key = S3Layout.resolvedLines(fileKey, (int) (line / ROUND_LINES));
                InputStream object = s3.getObject(r -> r.bucket(bucket).key(key)
                        .range(from == 0 ? null : "bytes=" + from + "-"));
                in = new DataInputStream(new BufferedInputStream(object, 64 * 1024));
            }
            line++;
            return in.readInt();
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
                in = null;
            }
        }
    }
}
