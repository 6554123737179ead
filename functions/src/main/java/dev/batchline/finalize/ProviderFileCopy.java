package dev.batchline.finalize;

import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartRecord;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.ObjectProbe;
import dev.batchline.storage.S3Layout;
import java.time.Instant;
import software.amazon.awssdk.core.sync.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Copies a finished batch's output and error files, and the batch as the provider last described
 * it, into the part's {@code provider/} folder: provider files expire, and finalizing reads the
 * copies in slices, by range. A download cut short resumes on the next attempt; after
 * {@value #MAX_ATTEMPTS} attempts the last one keeps whatever arrives, and the part is marked so
 * that requests whose lines did not arrive become {@code provider_output_unavailable}.
 */
final class ProviderFileCopy {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderFileCopy.class);
    private static final String NEVER_SUBMITTED = "{\"id\":null,\"status\":\"cancelled\"}";

    /** Attempts (FinalizePart invocations, each retrying inside) before a copy keeps what arrives. */
    static final int MAX_ATTEMPTS = 3;

    private final S3Client s3;
    private final JobStore jobs;
    private final ProviderClients providers;

    ProviderFileCopy(S3Client s3, JobStore jobs, ProviderClients providers) {
        this.s3 = s3;
        this.jobs = jobs;
        this.providers = providers;
    }

    void copy(JobRecord job, PartRecord record, Instant deadline) {
        String bucket = job.source().bucket();
        int partNumber = record.staged().partNumber();
        if (record.batchId() == null) {
            // Never submitted (the job was cancelled first): a batch that never was, cancelled.
            s3.putObject(r -> r.bucket(bucket).key(S3Layout.providerBatch(job.jobId(), partNumber))
                    .contentType("application/json"), RequestBody.fromString(NEVER_SUBMITTED));
            return;
        }
        BatchProvider provider = providers.forProfile(job.profile());
        ProviderBatch batch = provider.retrieveBatch(record.batchId());
        boolean last = jobs.countCopyAttempt(job.jobId(), partNumber) >= MAX_ATTEMPTS;
        boolean whole = download(provider, batch.outputFileId(), bucket, S3Layout.providerOutput(job.jobId(),
                partNumber), deadline, last);
        whole &= download(provider, batch.errorFileId(), bucket, S3Layout.providerErrors(job.jobId(), partNumber),
                deadline, last);
        if (!whole) {
            LOG.warn("job {} part {}: the provider's files of batch {} were kept as far as they arrived after {} "
                    + "attempts", job.jobId(), partNumber, batch.id(), MAX_ATTEMPTS);
            jobs.markOutputIncomplete(job.jobId(), partNumber);
        } else if (providers.profile(job.profile()).deleteProviderFiles()) {
            deleteAtProvider(provider, job, partNumber, record.fileId(), batch.outputFileId(), batch.errorFileId());
        }
        s3.putObject(r -> r.bucket(bucket).key(S3Layout.providerBatch(job.jobId(), partNumber))
                .contentType("application/json"), RequestBody.fromString(batch.raw().toString()));
    }

    /**
     * The part's files are copied: they need not be kept (and paid for) at the provider. A delete
     * that fails after the client's retries is logged, never the part's failure; files cut short are
     * kept for a person to look at.
     */
    private static void deleteAtProvider(BatchProvider provider, JobRecord job, int partNumber, String... fileIds) {
        for (String fileId : fileIds) {
            if (fileId == null) {
                continue;
            }
            try {
                provider.deleteFile(fileId);
            } catch (RuntimeException e) {
                LOG.warn("job {} part {}: file {} could not be deleted at the provider: {}", job.jobId(), partNumber,
                        fileId, e.getMessage());
            }
        }
    }

    /**
     * True when the file, if the batch has one, was copied whole. A copy completed by an earlier
     * attempt is whole (a cut-short download stays an unfinished upload), and is kept as it is.
     */
    private boolean download(BatchProvider provider, String fileId, String bucket, String key,
            Instant deadline, boolean last) {
        if (fileId == null || copied(bucket, key)) {
            return true;
        }
        if (last) {
            return provider.downloadWhatArrives(fileId, bucket, key, deadline).whole();
        }
        provider.downloadFile(fileId, bucket, key, deadline);
        return true;
    }

    private boolean copied(String bucket, String key) {
        return ObjectProbe.size(s3, bucket, key).isPresent();
    }
}
