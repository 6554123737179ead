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
        long lines = 0;
        try (S3ObjectOutputStream out = new S3ObjectOutputStream(s3, bucket, key, "application/jsonl",
                S3ObjectOutputStream.MIN_PART_BYTES)) {
            for (PartRecord part : parts) {
                for (MergedSegment segment : part.segments()) {
                    if (segment.succeeded() != succeeded) {
                        continue;
                    }
                    try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(segment.key()))) {
                        in.transferTo(out);
                    }
                    lines += segment.lines();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing s3://" + bucket + "/" + key, e);
        }
        return lines;
    }
}
