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
    JobRecord markSubmitting(String jobId, long requests, int parts, String endpoint, String model, Lineage lineage,
            Instant now);

    /** {@link JobStatus#VALIDATING} to {@link JobStatus#REJECTED}; idempotent. */
    JobRecord markRejected(String jobId, long requests, long errorCount, String reportKey, Instant now);

    /**
     * {@link JobStatus#SUBMITTING} to {@link JobStatus#RUNNING} once the workflow started; idempotent,
     * and a no-op when the workflow has already ended the job.
     */
    JobRecord markRunning(String jobId, String executionId, Instant now);

    Optional<JobRecord> find(String jobId);

    /**
     * The newest jobs first, from an index by creation time (never a scan of the table), at most
     * {@code limit}; only those in {@code status} when it is not null.
     */
    List<JobRecord> newest(JobStatus status, int limit);

    /** Removes the job and its parts from the store. */
    void delete(String jobId);

    List<StagedPart> parts(String jobId);

    PartRecord part(String jobId, int partNumber);

    /** Every part of the job as stored, in part order, read together. */
    List<PartRecord> partRecords(String jobId);

    /** Records that an upload of the part begins, so a retry after a lost answer looks for its file first. */
    void markUploadStarted(String jobId, int partNumber);

    /** Records the file uploaded for a part, before the batch is created over it. */
    void recordUpload(String jobId, int partNumber, String fileId);

    /**
     * Records the part's provider batch, and {@code now} as its first submission unless one is
     * recorded; refused (false) when the part already has another batch, so two racing submissions
     * cannot both count.
     */
    boolean recordBatch(String jobId, int partNumber, String batchId, Instant now);

    /**
     * Forgets a batch the provider refused for capacity and counts the refusal, so the part is
     * submitted again as a new submission.
     */
    void clearBatch(String jobId, int partNumber, String batchId);

    /** The provider's view of the part's batch: its status and request counts; and when it is polled next. */
    void recordBatchStatus(String jobId, int partNumber, String status, long total, long completed, long failed,
            Instant nextPollAt);

    /** True the first time only: the provider is asked to cancel a batch once. */
    boolean markCancelSent(String jobId, int partNumber);

    /** Counts an attempt to copy the part's provider files; returns the attempts so far, this one included. */
    int countCopyAttempt(String jobId, int partNumber);

    /** The part's provider files were kept as far as they arrived, not whole. */
    void markOutputIncomplete(String jobId, int partNumber);

    /** Marks the part's provider files copied: finalizing starts at {@link FinalizePhase#RESOLVE_OUTPUT}. Idempotent. */
    void startFinalize(String jobId, int partNumber);

    /**
     * Takes the part's finalize lease for {@code run} until {@code until} (its deadline), so two runs
     * of one part never overlap: granted when no run holds it, its holder's time has passed, or
     * {@code run} holds it already; refused with {@link FinalizeLeaseHeldException} otherwise.
     */
    void takeFinalizeLease(String jobId, int partNumber, String run, Instant until, Instant now);

    /** Gives the lease back, when {@code run} still holds it, so the next call need not wait. */
    void releaseFinalizeLease(String jobId, int partNumber, String run);

    /**
     * Saves a slice: the phase, the cursor, the outcome so far and the merged-output segments it
     * wrote (appended to the part's). Conditional on {@code run} holding the lease and the part
     * being at the checkpoint before {@code cursor}'s, so of two runs that slice from one checkpoint
     * only one saves; the other gets {@link FinalizeConflictException}.
     */
    void saveFinalizeProgress(String jobId, int partNumber, String run, FinalizePhase phase, FinalizeCursor cursor,
            PartOutcome outcome, List<MergedSegment> segments);

    /**
     * Ends an unfinished part with {@code failure}: the rest of its finalizing writes an error record
     * for each request without one, going through the part's ids from the checkpoint at {@code at}
     * (its record of which requests have one is kept). Conditional on the part still being at that
     * checkpoint, so a finalize run still going cannot be overtaken ({@link FinalizeConflictException});
     * false, changing nothing, when the part had failed or finished before.
     */
    boolean failPart(String jobId, int partNumber, PartFailure failure, FinalizeCursor at);

    /**
     * Counts one function invocation for the job and the memory it held over its time
     * (MB-milliseconds), for the manifest's AWS cost estimate.
     */
    void countFunctionUse(String jobId, long megabyteMillis);

    /**
     * Claims the one retry a finished job may have, for the retry file at {@code retryKey}: false
     * when a retry was claimed before, so two retries never resubmit the same requests.
     */
    boolean claimRetry(String jobId, String retryKey);

    /** Gives back a retry claim whose file was never uploaded, so the job can be retried again. */
    void releaseRetry(String jobId, String retryKey);

    /** Records the job that retries this one's failed requests; its manifest lists it from then on. */
    void recordRetry(String jobId, String retryJobId);

    /** Asks the workflow to cancel the job's batches at their next poll. */
    void requestCancel(String jobId);

    /** SUBMITTING or RUNNING to COMPLETED or FAILED; idempotent; refused from another ending. */
    JobRecord markFinished(String jobId, JobStatus status, String manifestKey, Instant now);
}
