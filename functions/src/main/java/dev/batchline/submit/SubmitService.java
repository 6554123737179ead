package dev.batchline.submit;

import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartProgress;
import dev.batchline.job.PartRecord;
import dev.batchline.provider.BatchTag;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.provider.ProviderFile;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.storage.S3Layout;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SubmitBatch: uploads a staged part and creates its provider batch, at most once whatever the
 * retries. Creating a batch is not idempotent at the provider, so the upload's file id is recorded
 * first (the intent), the job and part go into the batch's metadata, and a retry after a recorded
 * intent looks for a batch with that metadata before creating one. The metadata also
 * numbers the submission, so a batch the provider refused for capacity is never mistaken for the
 * one that replaces it.
 */
public final class SubmitService {

    private static final Logger LOG = LoggerFactory.getLogger(SubmitService.class);

    private final JobStore jobs;
    private final ProviderClients providers;
    private final Clock clock;

    public SubmitService(JobStore jobs, ProviderClients providers, Clock clock) {
        this.jobs = jobs;
        this.providers = providers;
        this.clock = clock;
    }

    public PartProgress submit(PartProgress part) {
        JobRecord job = jobs.find(part.jobId()).orElseThrow(() -> new IllegalStateException(
                "job " + part.jobId() + " is not recorded"));
        ProviderProfile profile = providers.profile(job.profile());
        BatchProvider provider = providers.forProfile(job.profile());
        PartRecord record = jobs.part(part.jobId(), part.partNumber());
        String batchId = record.batchId();
        if (batchId == null && record.failure() != null) {
            // The part ended while this run waited (a child execution the job's failure stopped): nothing more is sent.
            LOG.info("job {} part {}: the part has ended ({}); not submitting", part.jobId(), part.partNumber(),
                    record.failure().code());
            return part.withBatch(null, 0, part.polls() == null ? 0 : part.polls(), true, false);
        }
        if (batchId == null && job.cancelRequested()) {
            // Nothing reaches the provider for a cancelled job: finalizing accounts the part as cancelled.
            LOG.info("job {} part {}: the job was cancelled before the part was submitted", part.jobId(),
                    part.partNumber());
            return part.withBatch(null, 0, part.polls() == null ? 0 : part.polls(), true, false);
        }
        if (batchId == null) {
            BatchTag tag = new BatchTag(part.jobId(), part.partNumber(), record.submissions());
            batchId = record.fileId() == null ? null : tag.findAt(provider).map(ProviderBatch::id).orElse(null);
            if (batchId == null) {
                batchId = create(provider, job, part, record, tag);
            }
            if (!jobs.recordBatch(part.jobId(), part.partNumber(), batchId, clock.instant())) {
                String recorded = jobs.part(part.jobId(), part.partNumber()).batchId();
                if (!batchId.equals(recorded)) {
                    // Another run recorded its batch first: this one is a twin, and stops here.
                    LOG.warn("job {} part {}: cancelling batch {}, a twin of the recorded {}", part.jobId(),
                            part.partNumber(), batchId, recorded);
                    provider.tryCancel(batchId);
                }
                batchId = recorded;
            }
        }
        LOG.info("job {} part {}: provider batch {}", part.jobId(), part.partNumber(), batchId);
        // The poll count goes on across resubmissions: it is the part's, not one batch's.
        return part.withBatch(batchId, profile.initialPollSeconds(), part.polls() == null ? 0 : part.polls(), false,
                false);
    }

    private String create(BatchProvider provider, JobRecord job, PartProgress part, PartRecord record, BatchTag tag) {
        String fileId = record.fileId();
        if (fileId == null) {
            String filename = part.jobId() + "-" + S3Layout.partFileName(part.partNumber());
            // An earlier attempt timed out or lost its answer: the file it may have stored is used, not doubled.
            fileId = !record.uploadStarted() ? null
                    : provider.findUpload(filename, record.staged().bytes()).map(ProviderFile::id).orElse(null);
            if (fileId == null) {
                jobs.markUploadStarted(part.jobId(), part.partNumber());
                fileId = provider.uploadFile(job.source().bucket(), record.staged().key(), filename).id();
            }
            jobs.recordUpload(part.jobId(), part.partNumber(), fileId);
        }
        return provider.createBatch(fileId, job.endpoint(), tag.metadata()).id();
    }
}
