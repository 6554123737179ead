package dev.batchline.finalize;

import dev.batchline.job.FinalizeConflictException;
import dev.batchline.job.FinalizeLeaseHeldException;
import dev.batchline.job.FinalizePhase;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartFailure;
import dev.batchline.job.PartProgress;
import dev.batchline.job.PartRecord;
import dev.batchline.job.StagedPart;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.BatchTag;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends parts that cannot finish, so that a part fails alone. FailPart (a part's own step failed for
 * good) and FailJob (the job failed around its parts) both: record the failure once, after which
 * the part's requests without a record get error records with its code; cancel the part's live
 * provider batch so it stops costing; then write those records a slice a call, as FinalizePart does.
 */
public final class PartFailureService {

    /** How much of a caught error's text a part keeps: records carry it, and DynamoDB items are bounded. */
    static final int MAX_REASON_CHARS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(PartFailureService.class);

    private final JobStore jobs;
    private final ProviderClients providers;
    private final FinalizeService finalizer;
    private final Clock clock;
    private final Duration sliceMargin;

    public PartFailureService(JobStore jobs, ProviderClients providers, FinalizeService finalizer, Clock clock,
            Duration sliceMargin) {
        this.jobs = jobs;
        this.providers = providers;
        this.finalizer = finalizer;
        this.clock = clock;
        this.sliceMargin = sliceMargin;
    }

    /** One call of FailPart: the part's error records up to a slice boundary; {@code moreWork} says whether to call again. */
    public PartProgress failPart(PartProgress part, String reason, Instant deadline) {
        end(part, PipelineErrorCode.PART_FAILED, reason);
        return finalizer.finalizePart(part, deadline);
    }

    /**
     * FailJob's share: every part of the job that had not finished ends with {@code job_failed}, as
     * far as the deadline allows; true when no part is left to work on. A part that fails here does
     * not stop the others: each is tried, then the first failure is thrown, so FailJob is retried
     * (and in the end writes the manifest with what could be accounted).
     */
    public boolean failUnfinished(String jobId, String reason, Instant deadline) {
        RuntimeException first = null;
        for (StagedPart staged : jobs.parts(jobId)) {
            PartProgress part = PartProgress.item(jobId, staged.partNumber());
            try {
                if (jobs.part(jobId, staged.partNumber()).finalizePhase() == FinalizePhase.DONE) {
                    continue;
                }
                end(part, PipelineErrorCode.JOB_FAILED, reason);
                boolean more = true;
                while (more) {
                    if (clock.instant().isAfter(deadline.minus(sliceMargin))) {
                        return false;
                    }
                    more = Boolean.TRUE.equals(finalizer.finalizePart(part, deadline).moreWork());
                }
            } catch (FinalizeConflictException | FinalizeLeaseHeldException stillRunning) {
                throw stillRunning; // a run of the part's own is still going: FailJob is retried after it
            } catch (RuntimeException e) {
                LOG.error("job {} part {}: could not account for the part's requests", jobId, staged.partNumber(), e);
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
        return true;
    }

    private void end(PartProgress part, PipelineErrorCode code, String reason) {
        JobRecord job = jobs.find(part.jobId()).orElseThrow(() -> new IllegalStateException(
                "job " + part.jobId() + " is not recorded"));
        PartRecord record = jobs.part(part.jobId(), part.partNumber());
        if (record.failure() == null && record.finalizePhase() != FinalizePhase.DONE) {
            String kept = reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "…";
            LOG.warn("job {} part {} ends unfinished ({}): {}", part.jobId(), part.partNumber(), code.code(), kept);
            jobs.failPart(part.jobId(), part.partNumber(), new PartFailure(code.code(), kept, record.finalizePhase()),
                    record.finalizeCursor());
        }
        stopBatch(job, record);
    }

    /**
     * Cancels the part's batch unless it has ended: the one recorded, or one created whose answer was
     * lost before it could be recorded (found by its tag). Best effort: a provider that cannot be
     * reached costs money, not records, so its error is logged and the records are written all the
     * same; the next call of the part tries again.
     */
    private void stopBatch(JobRecord job, PartRecord record) {
        if (record.cancelSent()) {
            return;
        }
        try {
            cancelLiveBatch(job, record);
        } catch (RuntimeException e) {
            LOG.error("job {} part {}: could not cancel the part's batch ({}); it may run on at the provider",
                    job.jobId(), record.staged().partNumber(), e.toString());
        }
    }

    private void cancelLiveBatch(JobRecord job, PartRecord record) {
        int partNumber = record.staged().partNumber();
        BatchProvider provider = providers.forProfile(job.profile());
        String batchId = record.batchId();
        if (batchId == null && record.fileId() != null) {
            batchId = new BatchTag(job.jobId(), partNumber, record.submissions()).findAt(provider)
                    .filter(batch -> !batch.status().isTerminal()).map(ProviderBatch::id).orElse(null);
        } else if (batchId != null && record.batchStatus() != null
                && BatchStatus.normalize(record.batchStatus(), Map.of()).isTerminal()) {
            batchId = null;
        }
        if (batchId == null) {
            jobs.markCancelSent(job.jobId(), partNumber); // nothing to cancel: the search is not made again
            return;
        }
        LOG.info("job {} part {}: cancelling batch {}, its part having failed", job.jobId(), partNumber, batchId);
        if (!provider.tryCancel(batchId)) {
            LOG.warn("job {} part {}: the provider refused to cancel batch {}", job.jobId(), partNumber, batchId);
        }
        // Marked once the provider answered: a cancel lost to a transient error is sent again on retry.
        jobs.markCancelSent(job.jobId(), partNumber);
    }
}
