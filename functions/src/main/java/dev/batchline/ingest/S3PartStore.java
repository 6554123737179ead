package dev.batchline.ingest;

import dev.batchline.storage.S3ObjectOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/** Writes parts to {@code s3://<bucket>/<prefix>part-00001.jsonl}, ... */
public final class S3PartStore implements PartStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int uploadPartBytes;
    private final List<String> committedKeys = new ArrayList<>();
    private S3ObjectOutputStream open;

    public S3PartStore(S3Client s3, String bucket, String prefix, int uploadPartBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.uploadPartBytes = uploadPartBytes;
    }

    public static String partKey(String prefix, int partNumber) {
        return String.format("%spart-%05d.jsonl", prefix, partNumber);
    }

    @Override
    public PartOutput open(int partNumber) {
        String key = partKey(prefix, partNumber);
        S3ObjectOutputStream stream = new S3ObjectOutputStream(s3, bucket, key, "application/jsonl", uploadPartBytes);
        open = stream;
        return new PartOutput() {
            @Override
            public OutputStream stream() {
                return stream;
            }

            @Override
            public String commit() throws java.io.IOException {
                stream.close();
                open = null;
                committedKeys.add(key);
                return key;
            }
        };
    }

    @Override
    public void discardAll() {
        if (open != null) {
            open.abort();
            open = null;
        }
        for (String key : committedKeys) {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        }
        committedKeys.clear();
    }
}
