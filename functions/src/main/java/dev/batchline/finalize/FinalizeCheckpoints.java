package dev.batchline.finalize;

import dev.batchline.job.FinalizeCursor;
import dev.batchline.job.FinalizePhase;
import dev.batchline.job.JobStore;
import dev.batchline.job.MergedSegment;
import dev.batchline.job.PartOutcome;
import dev.batchline.storage.S3Layout;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A part's finalize checkpoints: which requests have a record (a bitmap by line, one bit a request)
 * and where the phase stands. A save writes a new bitmap object under a name of this run's, then
 * commits cursor, outcome and the bitmap's name in one conditional write: a crash before the commit
 * leaves the last checkpoint whole, and of two runs saving the same step only one commits.
 */
final class FinalizeCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(FinalizeCheckpoints.class);

    private final S3Client s3;
    private final JobStore jobs;
    private final String bucket;
    private final String jobId;
    private final int partNumber;
    private final String run;

    /** @param run the invocation holding the part's finalize lease, which names its bitmaps too */
    FinalizeCheckpoints(S3Client s3, JobStore jobs, String bucket, String jobId, int partNumber, String run) {
        this.s3 = s3;
        this.jobs = jobs;
        this.bucket = bucket;
        this.jobId = jobId;
        this.partNumber = partNumber;
        this.run = run;
    }

    /** The requests with a record at {@code cursor}: none before the first save. */
    BitSet seen(FinalizeCursor cursor) {
        if (cursor.seenKey() == null) {
            return new BitSet();
        }
        return BitSet.valueOf(s3.getObjectAsBytes(r -> r.bucket(bucket).key(cursor.seenKey())).asByteArray());
    }

    /** Saves the step after {@code previous}; returns its cursor. */
    FinalizeCursor save(FinalizeCursor previous, FinalizePhase phase, long offset, long line, BitSet seen,
            PartOutcome outcome, List<MergedSegment> segments) {
        String key = S3Layout.seenBitmap(jobId, partNumber, previous.checkpoint() + 1, run);
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(seen.toByteArray()));
        FinalizeCursor next = previous.next(offset, line, key);
        jobs.saveFinalizeProgress(jobId, partNumber, run, phase, next, outcome, segments);
        if (previous.seenKey() != null) {
            try {
                s3.deleteObject(r -> r.bucket(bucket).key(previous.seenKey()));
            } catch (SdkException e) {
                // The bucket's lifecycle rule removes provider/ copies later anyway.
                LOG.warn("job {} part {}: could not delete the replaced checkpoint {}: {}", jobId, partNumber,
                        previous.seenKey(), e.toString());
            }
        }
        return next;
    }
}
