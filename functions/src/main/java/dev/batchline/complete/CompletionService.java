package dev.batchline.complete;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.finalize.PartFailureService;
import dev.batchline.finalize.RecordOutputs;
import dev.batchline.job.JobRecord;
import dev.batchline.provider.Spending;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.finalize.RecordEvents;
import dev.batchline.job.JobStatus;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.PartRecord;
import dev.batchline.job.StagedPart;
import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.notify.JobMetrics;
import dev.batchline.storage.S3Layout;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * CompleteJob and FailJob: the manifest ({@code results/<jobId>/manifest.json}: counts by outcome,
 * token usage, provider batch ids, where the records are, timings), the job's final status, and
 * the {@code batchline.job.completed} or {@code batchline.job.failed} event.
 */
public final class CompletionService {

    /** The staged part, its ids and index; the provider's output, errors and batch record. */
    static final int PUTS_PER_PART = 6;
    /** A finalize checkpoint writes the lines it resolved and the bitmap of requests with a record. */
    static final int PUTS_PER_CHECKPOINT = 2;
    static final int MERGED_FILES = 2;
    static final int MANIFEST_PUTS = 1;
    /** statemachine/batchline.asl.json: ProcessParts in and out, CompleteJob. */
    static final int JOB_TRANSITIONS = 3;
    /** SubmitBatch, BatchEnded, PartDone. */
    static final int TRANSITIONS_PER_PART = 3;
    /** WaitForBatch, PollBatch, BatchEnded. */
    static final int TRANSITIONS_PER_POLL = 3;
    /** FinalizePart, MoreToFinalize. */
    static final int TRANSITIONS_PER_SLICE = 2;

    private final S3Client s3;
    private final JobStore jobs;
    private final EventPublisher events;
    private final JobMetrics metrics;
    private final PartFailureService partFailures;
    private final RecordOutputs outputs;
    private final RecordEvents recordEvents;
    private final ProviderProfiles profiles;
    private final MergedFiles mergedFiles;
    private final ObjectMapper mapper;
    private final Clock clock;

    public CompletionService(S3Client s3, JobStore jobs, EventPublisher events, JobMetrics metrics,
            PartFailureService partFailures, RecordOutputs outputs, RecordEvents recordEvents, ProviderProfiles profiles,
            ObjectMapper mapper, Clock clock) {
        this.s3 = s3;
        this.outputs = outputs;
        this.recordEvents = recordEvents;
        this.profiles = profiles;
        this.mergedFiles = new MergedFiles(s3);
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
        this.partFailures = partFailures;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** CompleteJob: every part has ended, each failed one alone; the job is completed. */
    public JobOutcome complete(String jobId) {
        return finish(jobId, JobStatus.COMPLETED, null, true);
    }

    /**
     * A call of FailJob. First every part that had not finished ends with {@code job_failed} error
     * records and its live batch cancelled, as far as the deadline allows (empty: call again); then
     * the manifest, with whatever could not be accounted left out of the counts.
     *
     * @param lastCall write the status and manifest now whatever remains, and no merged files (the
     *                 state machine's bound on calls, or FailJob failing for good: what could fail again
     *                 is left out, so the job does not stay running)
     */
    public Optional<JobOutcome> fail(String jobId, Manifest.Failure failure, boolean lastCall, Instant deadline) {
        if (!lastCall && !partFailures.failUnfinished(jobId, failure.error() + ": " + failure.cause(), deadline)) {
            return Optional.empty();
        }
        return Optional.of(finish(jobId, JobStatus.FAILED, failure, !lastCall));
    }

    private JobOutcome finish(String jobId, JobStatus status, Manifest.Failure failure, boolean merge) {
        JobRecord job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId
                + " is not recorded"));
        String manifestKey = S3Layout.manifest(jobId);
        if (job.status().isFinal() && job.status() != status) {
            // Ended the other way before (a CompleteJob that marked the job, then failed to write its
            // manifest or send its event): that ending stands, and its manifest and event are written
            // now, so the status never stands without them.
            failure = job.status() == JobStatus.COMPLETED ? null : failure;
            status = job.status();
        }
        Instant now = clock.instant();
        PartOutcome total = PartOutcome.NONE;
        List<Manifest.Part> parts = new ArrayList<>();
        List<PartRecord> records = new ArrayList<>();
        for (StagedPart staged : jobs.parts(jobId)) {
            PartRecord part = jobs.part(jobId, staged.partNumber());
            records.add(part);
            total = total.plus(part.outcome());
            parts.add(new Manifest.Part(staged.partNumber(), staged.requests(), part.batchId(), part.batchStatus(),
                    part.outcome(), part.failure() == null ? null
                            : new Manifest.Failure(part.failure().code(), part.failure().reason())));
        }
        String statusName = status.name().toLowerCase(java.util.Locale.ROOT);
        Manifest.Counts counts = Manifest.Counts.of(total);
        Manifest.Usage usage = new Manifest.Usage(total.promptTokens(), total.completionTokens(), total.totalTokens());
        Manifest.Merged merged = outputs.merged() && merge ? mergedFiles.write(job.source().bucket(), jobId, records)
                : null;
        Manifest manifest = new Manifest(Manifest.SCHEMA_VERSION, jobId, statusName, job.source(), job.profile(),
                job.endpoint(), job.model(), job.requests(), counts, counts.total() == job.requests(),
                total.unmatchedLines(), usage,
                outputs.objects() ? new Manifest.Records(S3Layout.recordsPrefix(jobId, true),
                        S3Layout.recordsPrefix(jobId, false)) : null,
                merged, parts, job.createdAt(), now, failure, job.lineage().retryOf() == null ? null : job.lineage(),
                job.retriedBy(), ProviderCost.of(profiles.find(job.profile()).map(ProviderProfile::spending)
                        .orElse(Spending.NONE), job.model(), usage),
                AwsCostEstimate.of(use(job, records, total, merged != null)));
        // The status first: a job that ended the other way meanwhile refuses it, and its manifest stays.
        jobs.markFinished(jobId, status, manifestKey, now);
        s3.putObject(r -> r.bucket(job.source().bucket()).key(manifestKey).contentType("application/json"),
                RequestBody.fromString(Json.write(mapper, manifest)));
        String name = status == JobStatus.COMPLETED ? "job.completed" : "job.failed";
        events.publish(CloudEvent.forJob(name, jobId, now, new FinishedData(CloudEvent.SCHEMA_VERSION, jobId,
                job.source().bucket(), manifestKey, counts, failure == null ? null : failure.error())));
        if (!job.status().isFinal()) {
            // A job's ending is counted once: a repeated call (a retry, a late FailJob) writes again but counts nothing.
            metrics.jobFinished(status, total);
        }
        return new JobOutcome(jobId, statusName, manifestKey);
    }

    /**
     * What the job used on AWS: Lambda as its step functions counted it (and the upload trigger's one
     * call); S3 writes, events and state transitions from what it wrote and how often it polled.
     */
    private AwsCostEstimate.Use use(JobRecord job, List<PartRecord> parts, PartOutcome total, boolean mergedFiles) {
        long puts = MANIFEST_PUTS + (mergedFiles ? MERGED_FILES : 0) + (outputs.objects() ? total.records() : 0);
        long transitions = JOB_TRANSITIONS;
        for (PartRecord part : parts) {
            int checkpoints = part.finalizeCursor().checkpoint();
            puts += PUTS_PER_PART + part.segments().size() + (long) PUTS_PER_CHECKPOINT * checkpoints;
            transitions += TRANSITIONS_PER_PART + (long) TRANSITIONS_PER_POLL * part.polls()
                    + (long) TRANSITIONS_PER_SLICE * checkpoints;
        }
        long events = 1 + switch (recordEvents) {
            case ALL -> total.records();
            case FAILURES -> total.records() - total.succeeded();
            case NONE -> 0;
        };
        return new AwsCostEstimate.Use(job.functionInvocations() + 1, job.functionMegabyteMillis(), puts, events,
                transitions);
    }

    /** What a {@code batchline.job.completed} or {@code batchline.job.failed} event's {@code data} holds. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FinishedData(int schemaVersion, String jobId, String bucket, String manifestKey,
            Manifest.Counts counts, String error) {
    }

    /** What CompleteJob and FailJob answer the state machine. */
    public record JobOutcome(String jobId, String status, String manifestKey) {
    }
}
