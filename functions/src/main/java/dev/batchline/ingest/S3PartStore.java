package dev.batchline.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.batchline.ids.PartIndexBuilder;
import dev.batchline.storage.S3Layout;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes a job's parts where {@link S3Layout#stagedPart} puts them, and beside each its custom_ids
 * twice: in line order ({@link S3Layout#partIds}) and by fingerprint ({@link S3Layout#partIndex}),
 * so that finalizing reads ids, never the requests.
 */
public final class S3PartStore implements PartStore {

    private static final byte NEWLINE = '\n';

    private final S3Client s3;
    private final String bucket;
    private final String jobId;
    private final int uploadPartBytes;
    private final List<String> committedKeys = new ArrayList<>();
    private final List<S3ObjectOutputStream> open = new ArrayList<>();

    public S3PartStore(S3Client s3, String bucket, String jobId, int uploadPartBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.jobId = jobId;
        this.uploadPartBytes = uploadPartBytes;
    }

    @Override
    public PartOutput open(int partNumber) {
        String key = S3Layout.stagedPart(jobId, partNumber);
        S3ObjectOutputStream requests = newStream(key, "application/jsonl");
        S3ObjectOutputStream ids = newStream(S3Layout.partIds(jobId, partNumber), "application/jsonl");
        PartIndexBuilder index = new PartIndexBuilder();
        return new PartOutput() {
            @Override
            public OutputStream stream() {
                return requests;
            }

            @Override
            public void addId(char[] id, int length, long first, int second) throws IOException {
                ids.write('"');
                ids.write(JsonStringEncoder.getInstance().quoteAsUTF8(new String(id, 0, length)));
                ids.write('"');
                ids.write(NEWLINE);
                index.add(first, second);
            }

            @Override
            public String commit() throws IOException {
                close(requests, key);
                close(ids, S3Layout.partIds(jobId, partNumber));
                String indexKey = S3Layout.partIndex(jobId, partNumber);
                S3ObjectOutputStream indexStream = newStream(indexKey, "application/octet-stream");
                index.writeTo(indexStream);
                close(indexStream, indexKey);
                return key;
            }
        };
    }

    private S3ObjectOutputStream newStream(String key, String contentType) {
        S3ObjectOutputStream stream = new S3ObjectOutputStream(s3, bucket, key, contentType, uploadPartBytes);
        open.add(stream);
        return stream;
    }

    private void close(S3ObjectOutputStream stream, String key) throws IOException {
        stream.close();
        open.remove(stream);
        committedKeys.add(key);
    }

    @Override
    public void discardAll() {
        open.forEach(S3ObjectOutputStream::abort);
        open.clear();
        for (String key : committedKeys) {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        }
        committedKeys.clear();
    }
}
