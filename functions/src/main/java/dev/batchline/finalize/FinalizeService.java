package dev.batchline.finalize;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.ids.PartIndex;
import dev.batchline.job.FinalizePhase;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartProgress;
import dev.batchline.job.PartRecord;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * FinalizePart: turns a finished provider batch into one record per request. The provider's output
 * and error files are first copied to S3 (they expire at the provider); then each invocation does
 * one {@link PartSlice} from the last checkpoint, its records going to a {@link RecordSink}. Every
 * request of the part ends as exactly one record: the provider's report of it, or an error record
 * ({@link Unreported}) when it reported none or the part failed first.
 */
public final class FinalizeService {

    private final S3Client s3;
    private final JobStore jobs;
    private final ProviderClients providers;
    private final RecordSink.Factory sinks;
    private final ProviderFileCopy copy;
    private final PartSlice.Tools tools;

    public FinalizeService(S3Client s3, JobStore jobs, ProviderClients providers, RecordSink.Factory sinks,
            FinalizeSettings settings, ObjectMapper mapper, Clock clock) {
        this.s3 = s3;
        this.jobs = jobs;
        this.providers = providers;
        this.sinks = sinks;
        this.copy = new ProviderFileCopy(s3, jobs, providers);
        this.tools = new PartSlice.Tools(s3, mapper, settings, clock);
    }

    /**
     * Does one slice under the part's finalize lease (until {@code deadline}), so no other run of the
     * part writes beside it; the answer's {@code moreWork} says whether to call again.
     */
    public PartProgress finalizePart(PartProgress part, Instant deadline) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        jobs.takeFinalizeLease(part.jobId(), part.partNumber(), run, deadline, tools.clock().instant());
        try {
            return finalizeUnderLease(part, run, deadline);
        } finally {
            jobs.releaseFinalizeLease(part.jobId(), part.partNumber(), run);
        }
    }

    private PartProgress finalizeUnderLease(PartProgress part, String run, Instant deadline) {
        JobRecord job = jobs.find(part.jobId()).orElseThrow(() -> new IllegalStateException(
                "job " + part.jobId() + " is not recorded"));
        PartRecord record = jobs.part(part.jobId(), part.partNumber());
        String bucket = job.source().bucket();
        if (record.finalizePhase() == null) {
            // The copy resumes where a cut-short one stopped, but not mid-part: leave the slice's margin.
            copy.copy(job, record, deadline.minus(tools.settings().safetyMargin()));
            jobs.startFinalize(part.jobId(), part.partNumber());
            record = jobs.part(part.jobId(), part.partNumber());
        }
        if (record.finalizePhase() == FinalizePhase.DONE) {
            return part.withMoreWork(false);
        }
        Unreported unreported = record.failure() != null ? Unreported.of(record.failure())
                : Unreported.of(readBatch(bucket, job, part.partNumber()), record.outputIncomplete());
        String indexKey = S3Layout.partIndex(job.jobId(), part.partNumber());
        PartIndex index = PartIndex.open((offset, length) -> s3.getObjectAsBytes(r -> r.bucket(bucket).key(indexKey)
                .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArray());
        FinalizeCheckpoints checkpoints = new FinalizeCheckpoints(s3, jobs, bucket, job.jobId(), part.partNumber(), run);
        PartSlice slice = new PartSlice(tools, bucket, job.jobId(), record, unreported, index,
                sinks.open(new RecordSink.Target(bucket, job.jobId(), part.partNumber(), run)), checkpoints, deadline);
        return part.withMoreWork(slice.run());
    }

    /** The batch as the provider described it when its files were copied. */
    private ProviderBatch readBatch(String bucket, JobRecord job, int partNumber) {
        String key = S3Layout.providerBatch(job.jobId(), partNumber);
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            return ProviderBatch.fromJson(tools.mapper().readTree(in),
                    providers.profile(job.profile()).statusAliases());
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + key, e);
        }
    }
}
