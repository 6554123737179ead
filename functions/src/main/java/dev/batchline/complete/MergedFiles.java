package dev.batchline.complete;

import dev.batchline.job.MergedSegment;
import dev.batchline.job.PartRecord;
import dev.batchline.storage.S3Layout;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The job's merged files, {@code results/<jobId>/output.jsonl} (every result line as the provider
 * wrote it) and {@code errors/<jobId>/errors.jsonl} (every error record), made from the segments
 * the parts' checkpoints committed, in part order: streamed through, memory one upload part. Written
 * again whole when a completion is retried, so they never hold a line twice.
 */
final class MergedFiles {

    private static final int MAX_PARTS = 9_000;
    private static final int MAX_PART_MB = 100;

    private final S3Client s3;

    MergedFiles(S3Client s3) {
        this.s3 = s3;
    }

    Manifest.Merged write(String bucket, String jobId, List<PartRecord> parts) {
        long results = concatenate(bucket, jobId, parts, true);
        long errors = concatenate(bucket, jobId, parts, false);
        return new Manifest.Merged(S3Layout.mergedOutput(jobId, true), results, S3Layout.mergedOutput(jobId, false),
                errors);
    }

    private long concatenate(String bucket, String jobId, List<PartRecord> parts, boolean succeeded) {
        String key = S3Layout.mergedOutput(jobId, succeeded);
        List<MergedSegment> segments = parts.stream().flatMap(part -> part.segments().stream())
                .filter(segment -> segment.succeeded() == succeeded).toList();
        long bytes = segments.stream().mapToLong(MergedSegment::bytes).sum();
        S3ObjectOutputStream out = new S3ObjectOutputStream(s3, bucket, key, "application/jsonl", partBytes(bytes));
        long lines = 0;
        try {
            for (MergedSegment segment : segments) {
                try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(segment.key()))) {
                    in.transferTo(out);
                }
                lines += segment.lines();
            }
            out.close();
        } catch (IOException | RuntimeException e) {
            // Never completed cut short: the key keeps what it held; the bucket's rule ends the upload.
            out.suspend();
            throw e instanceof IOException io ? new UncheckedIOException("writing s3://" + bucket + "/" + key, io)
                    : (RuntimeException) e;
        }
        return lines;
    }

    /**
     * Parts big enough that S3's 10,000 fit the file (up to {@value #MAX_PART_MB} MB a part, about
     * a terabyte), and no bigger than need be: a part is what the stream holds in memory.
     */
    static int partBytes(long totalBytes) {
        long needed = (totalBytes + MAX_PARTS - 1) / MAX_PARTS;
        return (int) Math.min((long) MAX_PART_MB * 1024 * 1024, Math.max(S3ObjectOutputStream.MIN_PART_BYTES,
                needed));
    }
}
