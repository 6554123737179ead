package dev.batchline.poll;

import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartProgress;
import dev.batchline.job.PartRecord;
import dev.batchline.notify.JobMetrics;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.BatchTag;
import dev.batchline.provider.CompletionWindow;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.provider.ProviderProfile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PollBatch: reads the provider batch's status into the part record, decides the next wait (it
 * grows by the profile's factor up to its cap, so a 24 h batch polls a few hundred times), sends a
 * requested cancellation once, turns a refusal for capacity into a later resubmission (up to the
 * profile's {@code maxResubmissions}), and keeps the part's {@link Deadlines}: every wait ends.
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
        Instant now = clock.instant();
        metrics.runningJobAge(Duration.between(job.createdAt(), now));
        PartRecord record = jobs.part(part.jobId(), part.partNumber());
        ProviderBatch batch = provider.retrieveBatch(part.batchId());
        int polls = (part.polls() == null ? 0 : part.polls()) + 1;
        int wait = part.nextPollSeconds() == null ? profile.initialPollSeconds() : part.nextPollSeconds();
        int nextWait = (int) Math.min(profile.maxPollSeconds(), Math.ceil(wait * profile.pollBackoff()));
        jobs.recordBatchStatus(part.jobId(), part.partNumber(), batch.status().wireValue(),
                batch.requestCounts().total(), batch.requestCounts().completed(), batch.requestCounts().failed(),
                now.plusSeconds(nextWait));
        if (batch.status() == BatchStatus.FAILED && refusedForCapacity(batch)) {
            if (record.submissions() < profile.maxResubmissions()) {
                LOG.info("job {} part {}: batch {} refused for capacity; resubmitting after {} s", part.jobId(),
                        part.partNumber(), batch.id(), profile.maxPollSeconds());
                jobs.clearBatch(part.jobId(), part.partNumber(), batch.id());
                return part.withBatch(null, profile.maxPollSeconds(), polls, false, true);
            }
            LOG.warn("job {} part {}: batch {} refused for capacity after {} resubmission(s), the profile's most; "
                    + "the part ends with the refusal", part.jobId(), part.partNumber(), batch.id(),
                    record.submissions());
            return part.withBatch(batch.id(), nextWait, polls, true, false);
        }
        Deadlines deadlines = Deadlines.of(record.firstSubmittedAt() == null ? now : record.firstSubmittedAt(),
                CompletionWindow.parse(profile.completionWindow()));
        boolean ended = batch.status().isTerminal();
        if ((job.cancelRequested() || now.isAfter(deadlines.cancel())) && !ended
                && batch.status() != BatchStatus.CANCELLING && !record.cancelSent()) {
            cancel(provider, part, batch);
            // Marked once the provider answered: a cancel lost to a transient error is sent at the next poll.
            jobs.markCancelSent(part.jobId(), part.partNumber());
        }
        if (batch.status() == BatchStatus.UNKNOWN) {
            LOG.warn("job {} part {}: batch {} has a status Batchline does not know: {}", part.jobId(),
                    part.partNumber(), batch.id(), batch.rawStatus());
        }
        boolean givenUp = !ended && now.isAfter(deadlines.giveUp());
        if (givenUp) {
            LOG.warn("job {} part {}: batch {} is still {} at its deadline; finalizing the part with what exists",
                    part.jobId(), part.partNumber(), batch.id(), batch.rawStatus());
        }
        if (ended || givenUp) {
            cancelTwins(provider, part, record, batch);
        }
        return part.withBatch(batch.id(), nextWait, polls, ended || givenUp, false);
    }

    /**
     * A part's deadlines, from its first submission: past 1.5 completion windows its batch is cancelled
     * (the window and then some has gone by); past 1.75 Batchline stops waiting for the batch to end
     * (a batch stuck in {@code finalizing}, {@code cancelling} or a status no one knows) and finalizes
     * the part with what exists.
     */
    record Deadlines(Instant cancel, Instant giveUp) {

        static Deadlines of(Instant firstSubmitted, Duration window) {
            return new Deadlines(firstSubmitted.plus(window.multipliedBy(3).dividedBy(2)),
                    firstSubmitted.plus(window.multipliedBy(7).dividedBy(4)));
        }
    }

    private static void cancel(BatchProvider provider, PartProgress part, ProviderBatch batch) {
        LOG.info("job {} part {}: cancelling batch {}", part.jobId(), part.partNumber(), batch.id());
        if (!provider.tryCancel(batch.id())) {
            LOG.warn("job {} part {}: the provider refused to cancel batch {}", part.jobId(), part.partNumber(),
                    batch.id());
        }
    }

    /**
     * Once the part's batch has ended, any other live batch of the part is a twin (a create the
     * client gave up on that took effect later): cancelled, and its input file deleted when it is
     * not the part's own.
     */
    private static void cancelTwins(BatchProvider provider, PartProgress part, PartRecord record, ProviderBatch batch) {
        for (ProviderBatch twin : new BatchTag(part.jobId(), part.partNumber(), record.submissions())
                .liveTwinsAt(provider, batch.id())) {
            LOG.warn("job {} part {}: cancelling batch {}, a twin of the part's batch {}", part.jobId(),
                    part.partNumber(), twin.id(), batch.id());
            provider.tryCancel(twin.id());
            if (twin.inputFileId() != null && !twin.inputFileId().equals(record.fileId())) {
                provider.deleteFile(twin.inputFileId());
            }
        }
    }

    private static boolean refusedForCapacity(ProviderBatch batch) {
        return batch.errors().stream().anyMatch(error -> error.code() != null && CAPACITY_ERRORS.contains(error.code()));
    }
}
