package dev.batchline.job;

import java.time.Instant;
import java.util.List;

/**
 * A job as stored ({@code sk = JOB}).
 *
 * @param leaseUntil while {@link JobStatus#VALIDATING}: until when the current reader holds the job
 * @param requests   request lines, once validated
 * @param parts      staged parts, once validated
 * @param errorCount problems found, once validated
 * @param reportKey  the rejection report, when rejected
 * @param executionId the workflow execution, once started
 * @param cancelRequested someone asked for the job's batches to be cancelled
 * @param manifestKey the manifest, once the job finished
 * @param lineage    whether the job retries another's failed requests
 * @param functionInvocations    step function invocations counted to the job so far
 * @param functionMegabyteMillis their memory over their time, in MB-milliseconds
 * @param retriedBy  the jobs that retry this one's failed requests
 */
public record JobRecord(
        String jobId,
        JobStatus status,
        String profile,
        SourceObject source,
        Instant createdAt,
        Instant updatedAt,
        Instant leaseUntil,
        long requests,
        int parts,
        long errorCount,
        String endpoint,
        String model,
        String reportKey,
        String executionId,
        boolean cancelRequested,
        String manifestKey,
        Lineage lineage,
        long functionInvocations,
        long functionMegabyteMillis,
        List<String> retriedBy) {

    public JobRecord {
        retriedBy = retriedBy == null ? List.of() : List.copyOf(retriedBy);
    }


    public static JobRecord validating(String jobId, String profile, SourceObject source, Instant now,
            Instant leaseUntil) {
        return new JobRecord(jobId, JobStatus.VALIDATING, profile, source, now, now, leaseUntil, 0, 0, 0, null, null,
                null, null, false, null, Lineage.ORIGINAL, 0, 0, List.of());
    }
}
