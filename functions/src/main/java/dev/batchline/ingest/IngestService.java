package dev.batchline.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.job.JobClaim;
import dev.batchline.job.JobId;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.job.JobStore;
import dev.batchline.job.Lineage;
import dev.batchline.job.SourceObject;
import dev.batchline.job.StagedPart;
import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns one uploaded object into a job: validates it in one streaming pass while staging its parts,
 * then either starts the workflow or rejects it with a report and an event. Safe under duplicate
 * and redelivered events: the job record is claimed with a conditional write and every later step
 * is idempotent.
 */
public final class IngestService {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final int PRECONDITION_FAILED = 412;

    private final S3Client s3;
    private final JobStore jobs;
    private final EventPublisher events;
    private final WorkflowStarter workflow;
    private final ProviderProfiles profiles;
    private final IngestSettings settings;
    private final ObjectMapper mapper;
    private final Clock clock;

    public IngestService(S3Client s3, JobStore jobs, EventPublisher events, WorkflowStarter workflow,
            ProviderProfiles profiles, IngestSettings settings, ObjectMapper mapper, Clock clock) {
        this.s3 = s3;
        this.jobs = jobs;
        this.events = events;
        this.workflow = workflow;
        this.profiles = profiles;
        this.settings = settings;
        this.mapper = mapper;
        this.clock = clock;
    }

    public IngestOutcome ingest(SourceObject source) {
        Optional<InboxObject> inbox = InboxObject.parse(source.key(), settings.defaultProfile());
        if (inbox.isEmpty()) {
            return new IngestOutcome(null, IngestOutcome.Result.IGNORED, "not a .jsonl file under inbox/");
        }
        String jobId = JobId.of(source.bucket(), source.key(), source.version());
        Instant now = clock.instant();
        JobClaim claim = jobs.claim(JobRecord.validating(jobId, inbox.get().profile(), source, now,
                now.plus(settings.validationLease())), now);
        if (!claim.granted()) {
            return resumeOrSkip(claim.job());
        }
        Optional<ProviderProfile> profile = profiles.find(inbox.get().profile());
        if (profile.isEmpty()) {
            return reject(jobId, source, RejectionReport.UNKNOWN_PROFILE, S3Layout.INBOX + inbox.get().profile()
                    + "/ names no provider profile; known profiles: " + profiles.names(), null);
        }
        return validateAndSubmit(jobId, source, profile.get());
    }

    /** A job already claimed: a redelivery after a crash between staging and starting resumes the start. */
    private IngestOutcome resumeOrSkip(JobRecord job) {
        if (job.status() == JobStatus.SUBMITTING) {
            String execution = startWorkflow(job, jobs.parts(job.jobId()));
            jobs.markRunning(job.jobId(), execution, clock.instant());
            return new IngestOutcome(job.jobId(), IngestOutcome.Result.SUBMITTED, "workflow start repeated");
        }
        return new IngestOutcome(job.jobId(), IngestOutcome.Result.DUPLICATE, job.status() == JobStatus.VALIDATING
                ? IngestOutcome.HELD : "job is " + job.status());
    }

    private IngestOutcome validateAndSubmit(String jobId, SourceObject source, ProviderProfile profile) {
        PartSplitter splitter = new PartSplitter(profile,
                new S3PartStore(s3, source.bucket(), jobId, settings.uploadPartBytes()));
        ValidationReport report;
        Lineage lineage;
        SpendEstimate estimate = profile.spending().estimates() ? new SpendEstimate(splitter, profile.spending(), mapper)
                : null;
        try (ResponseInputStream<GetObjectResponse> in = open(source)) {
            lineage = Lineage.fromMetadata(in.response().metadata());
            report = new BatchFileValidator(profile, settings.validator()).validate(in, source.size(),
                    estimate == null ? splitter : estimate);
        } catch (NoSuchKeyException e) {
            return reject(jobId, source, RejectionReport.SOURCE_UNAVAILABLE,
                    "the object was deleted before it could be read", null);
        } catch (S3Exception e) {
            if (e.statusCode() != PRECONDITION_FAILED) {
                throw e;
            }
            return reject(jobId, source, RejectionReport.SOURCE_UNAVAILABLE,
                    "the object was replaced before it could be read; the new upload is a job of its own", null);
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + source.bucket() + "/" + source.key(), e);
        }
        if (!report.valid()) {
            return reject(jobId, source, RejectionReport.INVALID_FILE, report.errorCount()
                    + " problem(s) found; the first are listed with their line numbers", report);
        }
        Optional<String> overLimit = SpendingGuard.overLimit(profile.spending(), report.requests(), estimate);
        if (overLimit.isPresent()) {
            return reject(jobId, source, RejectionReport.OVER_SPENDING_LIMIT, overLimit.get(), report);
        }
        List<StagedPart> parts = splitter.parts();
        jobs.saveParts(jobId, parts);
        JobRecord job = jobs.markSubmitting(jobId, report.requests(), parts.size(), report.endpoint(),
                report.model(), lineage, clock.instant());
        String execution = startWorkflow(job, parts);
        jobs.markRunning(jobId, execution, clock.instant());
        LOG.info("job {} submitting: {} requests in {} part(s), execution {}", jobId, report.requests(),
                parts.size(), execution);
        return new IngestOutcome(jobId, IngestOutcome.Result.SUBMITTED, parts.size() + " part(s)");
    }

    /** The exact version the event announced: a later overwrite must not be read under this job. */
    private ResponseInputStream<GetObjectResponse> open(SourceObject source) {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(source.bucket()).key(source.key());
        if (source.versionId() != null && !source.versionId().isEmpty()) {
            request.versionId(source.versionId());
        } else if (source.etag() != null && !source.etag().isEmpty()) {
            request.ifMatch("\"" + source.etag() + "\"");
        }
        return s3.getObject(request.build());
    }

    private String startWorkflow(JobRecord job, List<StagedPart> parts) {
        ProviderProfile profile = profiles.require(job.profile());
        return workflow.start(job.jobId(), WorkflowInput.of(job.jobId(), profile.maxConcurrentBatches(),
                parts.size()));
    }

    /** What a {@code batchline.job.rejected} event's {@code data} holds. */
    public record RejectedData(int schemaVersion, String jobId, String bucket, String key, String reportKey,
            String reason, long errorCount) {
    }

    private IngestOutcome reject(String jobId, SourceObject source, String reason, String message,
            ValidationReport validation) {
        Instant now = clock.instant();
        String reportKey = S3Layout.rejectionReport(jobId);
        RejectionReport report = new RejectionReport(jobId, source, now, reason, message, validation);
        s3.putObject(r -> r.bucket(source.bucket()).key(reportKey).contentType("application/json"),
                RequestBody.fromString(Json.write(mapper, report)));
        events.publish(CloudEvent.forJob("job.rejected", jobId, now, new RejectedData(CloudEvent.SCHEMA_VERSION,
                jobId, source.bucket(), source.key(), reportKey, reason,
                validation == null ? 0 : validation.errorCount())));
        jobs.markRejected(jobId, validation == null ? 0 : validation.requests(),
                validation == null ? 0 : validation.errorCount(), reportKey, now);
        LOG.info("job {} rejected ({}): {}", jobId, reason, message);
        return new IngestOutcome(jobId, IngestOutcome.Result.REJECTED, reason);
    }
}
