package dev.batchline.complete;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    public Map<String, Object> complete(String jobId) {
        return finish(jobId, JobStatus.COMPLETED, null, null);
    }

    public Map<String, Object> fail(String jobId, String error, String cause) {
        return finish(jobId, JobStatus.FAILED, error, cause);
    }

    private Map<String, Object> finish(String jobId, JobStatus status, String error, String cause) {
        JobRecord job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId
                + " is not recorded"));
        Instant now = clock.instant();
        PartOutcome total = PartOutcome.NONE;
        List<Map<String, Object>> parts = new ArrayList<>();
        for (StagedPart staged : jobs.parts(jobId)) {
            PartRecord part = jobs.part(jobId, staged.partNumber());
            total = total.plus(part.outcome());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("partNumber", staged.partNumber());
            entry.put("requests", staged.requests());
            entry.put("providerBatchId", part.batchId());
            entry.put("providerStatus", part.batchStatus());
            entry.put("outcome", part.outcome());
            parts.add(entry);
        }
        String manifestKey = S3Layout.manifest(jobId);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("jobId", jobId);
        manifest.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
        manifest.put("source", job.source());
        manifest.put("profile", job.profile());
        manifest.put("endpoint", job.endpoint());
        manifest.put("model", job.model());
        manifest.put("requests", job.requests());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("succeeded", total.succeeded());
        counts.put("failed", total.failed());
        counts.put("expired", total.expired());
        counts.put("cancelled", total.cancelled());
        counts.put("missing", total.missing());
        manifest.put("counts", counts);
        manifest.put("accountedFor", total.records() == job.requests());
        manifest.put("usage", Map.of("promptTokens", total.promptTokens(), "completionTokens",
                total.completionTokens(), "totalTokens", total.totalTokens()));
        manifest.put("records", Map.of("results", S3Layout.recordsPrefix(jobId, true), "errors",
                S3Layout.recordsPrefix(jobId, false)));
        manifest.put("parts", parts);
        manifest.put("createdAt", job.createdAt());
        manifest.put("finishedAt", now);
        if (error != null) {
            manifest.put("error", Map.of("error", error, "cause", cause == null ? "" : cause));
        }
        s3.putObject(r -> r.bucket(job.source().bucket()).key(manifestKey).contentType("application/json"),
                RequestBody.fromString(Json.write(mapper, manifest)));
        jobs.markFinished(jobId, status, manifestKey, now);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("jobId", jobId);
        data.put("bucket", job.source().bucket());
        data.put("manifestKey", manifestKey);
        data.put("counts", counts);
        if (error != null) {
            data.put("error", error);
        }
        String name = status == JobStatus.COMPLETED ? "job.completed" : "job.failed";
        events.publish(CloudEvent.forJob(name, jobId, now, data));
        metrics.jobFinished(status, total);
        return Map.of("jobId", jobId, "status", manifest.get("status"), "manifestKey", manifestKey);
    }
}
