package dev.batchline.complete;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.job.JobRecord;
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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * CompleteJob and FailJob: the manifest ({@code results/<jobId>/manifest.json}: counts by outcome,
 * token usage, provider batch ids, where the records are, timings), the job's final status, and
 * the {@code batchline.job.completed} or {@code batchline.job.failed} event.
 */
public final class CompletionService {

    private final S3Client s3;
    private final JobStore jobs;
    private final EventPublisher events;
    private final JobMetrics metrics;
    private final ObjectMapper mapper;
    private final Clock clock;

    public CompletionService(S3Client s3, JobStore jobs, EventPublisher events, JobMetrics metrics,
            ObjectMapper mapper, Clock clock) {
        this.s3 = s3;
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
        this.mapper = mapper;
        this.clock = clock;
    }

    public JobOutcome complete(String jobId) {
        return finish(jobId, JobStatus.COMPLETED, null);
    }

    public JobOutcome fail(String jobId, String error, String cause) {
        return finish(jobId, JobStatus.FAILED, new Manifest.Failure(error, cause == null ? "" : cause));
    }

    private JobOutcome finish(String jobId, JobStatus status, Manifest.Failure failure) {
        JobRecord job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId
                + " is not recorded"));
        Instant now = clock.instant();
        PartOutcome total = PartOutcome.NONE;
        List<Manifest.Part> parts = new ArrayList<>();
        for (StagedPart staged : jobs.parts(jobId)) {
            PartRecord part = jobs.part(jobId, staged.partNumber());
            total = total.plus(part.outcome());
            parts.add(new Manifest.Part(staged.partNumber(), staged.requests(), part.batchId(), part.batchStatus(),
                    part.outcome()));
        }
        String manifestKey = S3Layout.manifest(jobId);
        String statusName = status.name().toLowerCase(java.util.Locale.ROOT);
        Manifest.Counts counts = Manifest.Counts.of(total);
        Manifest manifest = new Manifest(Manifest.SCHEMA_VERSION, jobId, statusName, job.source(), job.profile(),
                job.endpoint(), job.model(), job.requests(), counts, counts.total() == job.requests(),
                total.unmatchedLines(),
                new Manifest.Usage(total.promptTokens(), total.completionTokens(), total.totalTokens()),
                new Manifest.Records(S3Layout.recordsPrefix(jobId, true), S3Layout.recordsPrefix(jobId, false)),
                parts, job.createdAt(), now, failure);
        s3.putObject(r -> r.bucket(job.source().bucket()).key(manifestKey).contentType("application/json"),
                RequestBody.fromString(Json.write(mapper, manifest)));
        jobs.markFinished(jobId, status, manifestKey, now);
        String name = status == JobStatus.COMPLETED ? "job.completed" : "job.failed";
        events.publish(CloudEvent.forJob(name, jobId, now, new FinishedData(CloudEvent.SCHEMA_VERSION, jobId,
                job.source().bucket(), manifestKey, counts, failure == null ? null : failure.error())));
        metrics.jobFinished(status, total);
        return new JobOutcome(jobId, statusName, manifestKey);
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
