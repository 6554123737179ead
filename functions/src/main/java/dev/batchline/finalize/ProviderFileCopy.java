package dev.batchline.finalize;

import dev.batchline.job.JobRecord;
import dev.batchline.job.PartRecord;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.S3Layout;
import java.time.Instant;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Copies a finished batch's output and error files, and the batch as the provider last described
 * it, into the part's {@code provider/} folder: provider files expire, and finalizing reads the
 * copies in slices, by range.
 */
final class ProviderFileCopy {

    private static final String NEVER_SUBMITTED = "{\"id\":null,\"status\":\"cancelled\"}";

    private final S3Client s3;
    private final ProviderClients providers;

    ProviderFileCopy(S3Client s3, ProviderClients providers) {
        this.s3 = s3;
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
        if (batch.outputFileId() != null) {
            provider.downloadFile(batch.outputFileId(), bucket, S3Layout.providerOutput(job.jobId(), partNumber),
                    deadline);
        }
        if (batch.errorFileId() != null) {
            provider.downloadFile(batch.errorFileId(), bucket, S3Layout.providerErrors(job.jobId(), partNumber),
                    deadline);
        }
        s3.putObject(r -> r.bucket(bucket).key(S3Layout.providerBatch(job.jobId(), partNumber))
                .contentType("application/json"), RequestBody.fromString(batch.raw().toString()));
    }
}
