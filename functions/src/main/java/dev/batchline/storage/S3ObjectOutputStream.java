package dev.batchline.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * Writes an S3 object of unknown size with memory bounded by one upload part: small objects go
 * up with one PutObject, larger ones as a multipart upload. Nothing is visible under the key until
 * {@link #close()} succeeds; {@link #abort()} leaves nothing behind; {@link #suspend()} leaves the
 * parts uploaded so far for a later {@link #resume} to continue after.
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
    private Map<String, String> metadata = Map.of();
    private String version;

    private byte[] buffer = new byte[8192];
    private int buffered;
    private String uploadId;
    private long resumedBytes;
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

    /** The user metadata the object is stored with; set before the first write. */
    public S3ObjectOutputStream withMetadata(Map<String, String> userMetadata) {
        this.metadata = Map.copyOf(userMetadata);
        return this;
    }

    /**
     * What tells the stored object from another upload of its key, once {@link #close()} succeeded:
     * its version id in a versioned bucket, else its ETag without quotes (as S3 events give them).
     */
    public String storedVersion() {
        if (version == null) {
            throw new IllegalStateException("s3://" + bucket + "/" + key + " is not stored yet");
        }
        return version;
    }

    /**
     * A stream that continues the newest unfinished multipart upload of {@code key}, after the run of
     * full parts it holds from part 1 ({@link #resumedBytes()} bytes): what a stream of the same
     * {@code partBytes} uploaded before it was {@linkplain #suspend() suspended} or its process died.
     * Without such an upload, a fresh stream.
     */
    public static S3ObjectOutputStream resume(S3Client s3, String bucket, String key, String contentType,
            int partBytes) {
        S3ObjectOutputStream stream = new S3ObjectOutputStream(s3, bucket, key, contentType, partBytes);
        Optional<MultipartUpload> unfinished = s3.listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(key))
                .uploads().stream().filter(upload -> upload.key().equals(key))
                .max(Comparator.comparing(MultipartUpload::initiated));
        if (unfinished.isPresent()) {
            stream.uploadId = unfinished.get().uploadId();
            List<Part> parts = new ArrayList<>(s3.listPartsPaginator(r -> r.bucket(bucket).key(key)
                    .uploadId(stream.uploadId)).parts().stream().toList());
            parts.sort(Comparator.comparing(Part::partNumber));
            for (Part part : parts) {
                if (part.partNumber() != stream.completedParts.size() + 1 || part.size() != partBytes) {
                    break;
                }
                stream.completedParts.add(CompletedPart.builder().partNumber(part.partNumber()).eTag(part.eTag())
                        .build());
                stream.resumedBytes += part.size();
            }
        }
        return stream;
    }

    /** Bytes of the object that a {@link #resume resumed} upload already holds; what to write is the rest. */
    public long resumedBytes() {
        return resumedBytes;
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
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(contentType)
                    .metadata(metadata)).uploadId();
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
                PutObjectResponse put = s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType)
                        .metadata(metadata).contentLength((long) buffered), bufferedBody());
                version = versionOf(put.versionId(), put.eTag());
            } else {
                if (buffered > 0) {
                    uploadBufferedPart();
                }
                CompleteMultipartUploadResponse complete = s3.completeMultipartUpload(r -> r.bucket(bucket).key(key)
                        .uploadId(uploadId).multipartUpload(m -> m.parts(completedParts)));
                version = versionOf(complete.versionId(), complete.eTag());
            }
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        closed = true;
        buffer = null;
    }

    private static String versionOf(String versionId, String etag) {
        return versionId != null && !versionId.isEmpty() && !"null".equals(versionId) ? versionId
                : etag.replace("\"", "");
    }

    /**
     * Stops without finishing, keeping the parts uploaded so far for {@link #resume}; the bytes
     * not yet uploaded are dropped. The key is left as it was; the bucket's lifecycle rule ends
     * uploads that are never resumed.
     */
    public void suspend() {
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
