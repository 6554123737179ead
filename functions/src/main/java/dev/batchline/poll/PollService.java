package dev.batchline.poll;

import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartProgress;
import dev.batchline.notify.JobMetrics;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.CompletionWindow;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.provider.ProviderProfile;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PollBatch: reads the provider batch's status into the part record, decides the next wait (it
 * grows by the profile's factor up to its cap, so a 24 h batch polls a few hundred times), sends a
 * requested cancellation once, and turns a refusal for capacity into a later resubmission.
 */
public final class PollService {

    /** Errors by which a provider says "not now" rather than "never". */
    static final Set<String> CAPACITY_ERRORS = Set.of("token_limit_exceeded", "rate_limit_exceeded",
            "too_many_batches", "quota_exceeded");
    private static final Logger LOG = LoggerFactory.getLogger(PollService.class);

    private final JobStore jobs;
    private final ProviderClients providers;
    private final JobMetrics metrics;
    private final Clock clock;

    public PollService(JobStore jobs, ProviderClients providers, JobMetrics metrics, Clock clock) {
        this.jobs = jobs;
        this.providers = providers;
        this.metrics = metrics;
        this.clock = clock;
    }

    public PartProgress poll(PartProgress part) {
        JobRecord job = jobs.find(part.jobId()).orElseThrow(() -> new IllegalStateException(
                "job " + part.jobId() + " is not recorded"));
        ProviderProfile profile = providers.profile(job.profile());
        BatchProvider provider = providers.forProfile(job.profile());
        metrics.runningJobAge(Duration.between(job.createdAt(), clock.instant()));
        ProviderBatch batch = provider.retrieveBatch(part.batchId());
        jobs.recordBatchStatus(part.jobId(), part.partNumber(), batch.status().wireValue(),
                batch.requestCounts().total(), batch.requestCounts().completed(), batch.requestCounts().failed());
        int polls = (part.polls() == null ? 0 : part.polls()) + 1;
        int wait = part.nextPollSeconds() == null ? profile.initialPollSeconds() : part.nextPollSeconds();
        int nextWait = (int) Math.min(profile.maxPollSeconds(), Math.ceil(wait * profile.pollBackoff()));
        if (batch.status() == BatchStatus.FAILED && refusedForCapacity(batch)) {
            LOG.info("job {} part {}: batch {} refused for capacity; resubmitting after {} s", part.jobId(),
                    part.partNumber(), batch.id(), profile.maxPollSeconds());
            jobs.clearBatch(part.jobId(), part.partNumber(), batch.id());
            return part.withBatch(null, profile.maxPollSeconds(), polls, false, true);
        }
        boolean cancel = job.cancelRequested() || polls > maxPolls(profile);
        if (cancel && !batch.status().isTerminal() && batch.status() != BatchStatus.CANCELLING
                && jobs.markCancelSent(part.jobId(), part.partNumber())) {
            LOG.info("job {} part {}: cancelling batch {}", part.jobId(), part.partNumber(), batch.id());
            provider.cancelBatch(batch.id());
        }
        if (batch.status() == BatchStatus.UNKNOWN) {
            LOG.warn("job {} part {}: batch {} has a status Batchline does not know: {}", part.jobId(),
                    part.partNumber(), batch.id(), batch.rawStatus());
        }
        return part.withBatch(batch.id(), nextWait, polls, batch.status().isTerminal(), false);
    }

    private static boolean refusedForCapacity(ProviderBatch batch) {
        return batch.errors().stream().anyMatch(error -> error.code() != null && CAPACITY_ERRORS.contains(error.code()));
    }

    /**
     * The deadline guard: polls enough for the completion window at the longest wait, and half as
     * many again; past it the batch is cancelled so the part ends with what it has.
     */
    static int maxPolls(ProviderProfile profile) {
        long windowSeconds = CompletionWindow.parse(profile.completionWindow()).toSeconds();
        return (int) (windowSeconds * 3 / 2 / profile.maxPollSeconds()) + 50;
    }
}
