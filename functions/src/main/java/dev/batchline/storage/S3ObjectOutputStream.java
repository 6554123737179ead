package dev.batchline.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Writes an S3 object of unknown size with memory bounded by one upload part: small objects go
 * up with one PutObject, larger ones as a multipart upload. Nothing is visible under the key until
 * {@link #close()} succeeds; {@link #abort()} leaves nothing behind.
 */
public final class S3ObjectOutputStream extends OutputStream {

    /** S3's smallest part size for all parts but the last. */
    public static final int MIN_PART_BYTES = 5 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String contentType;
    private final int partBytes;
    private final List<CompletedPart> completedParts = new ArrayList<>();

    private byte[] buffer = new byte[8192];
    private int buffered;
    private String uploadId;
    private boolean closed;

    public S3ObjectOutputStream(S3Client s3, String bucket, String key, String contentType, int partBytes) {
        if (partBytes < MIN_PART_BYTES) {
            throw new IllegalArgumentException("partBytes must be at least " + MIN_PART_BYTES + ", got " + partBytes);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.contentType = contentType;
        this.partBytes = partBytes;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (buffered == partBytes) {
            uploadBufferedPart();
        }
        ensureCapacity(buffered + 1);
        buffer[buffered++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (buffered == partBytes) {
                uploadBufferedPart();
            }
            int n = Math.min(len, partBytes - buffered);
            ensureCapacity(buffered + n);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(partBytes, Math.max(needed, buffer.length * 2)));
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream to s3://" + bucket + "/" + key + " is closed");
        }
    }

    private void uploadBufferedPart() {
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(contentType)).uploadId();
        }
        int partNumber = completedParts.size() + 1;
        String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                        .contentLength((long) buffered),
                bufferedBody()).eTag();
        completedParts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        buffered = 0;
    }

    /** The buffered bytes without a copy; ByteArrayInputStream's mark/reset lets the SDK retry. */
    private RequestBody bufferedBody() {
        return RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, buffered), buffered);
    }

    /** Completes the object. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (uploadId == null) {
                s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType).contentLength((long) buffered),
                        bufferedBody());
            } else {
                if (buffered > 0) {
                    uploadBufferedPart();
                }
                s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(completedParts)));
            }
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        closed = true;
        buffer = null;
    }

    /** Drops everything written; the key is left as it was. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        buffer = null;
        if (uploadId != null) {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        }
    }
}
