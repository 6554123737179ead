package dev.batchline.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Jobs and their parts. Every change of state is conditional, so at-least-once callers cannot race. */
public interface JobStore {

    /**
     * Creates the job, or takes it over when it is still {@link JobStatus#VALIDATING} and its lease
     * ended before {@code now}; otherwise leaves it as it is and returns it, not granted.
     */
    JobClaim claim(JobRecord fresh, Instant now);

    /** Records the staged parts of a job being validated. Idempotent. */
    void saveParts(String jobId, List<StagedPart> parts);

    /** {@link JobStatus#VALIDATING} to {@link JobStatus#SUBMITTING}; idempotent. */
    JobRecord markSubmitting(String jobId, long requests, int parts, String endpoint, String model, Instant now);

    /** {@link JobStatus#VALIDATING} to {@link JobStatus#REJECTED}; idempotent. */
    JobRecord markRejected(String jobId, long requests, long errorCount, String reportKey, Instant now);

    /** {@link JobStatus#SUBMITTING} to {@link JobStatus#RUNNING} once the workflow started; idempotent. */
    JobRecord markRunning(String jobId, String executionId, Instant now);

    Optional<JobRecord> find(String jobId);

    List<StagedPart> parts(String jobId);
}
