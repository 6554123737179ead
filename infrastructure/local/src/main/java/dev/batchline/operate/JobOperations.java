package dev.batchline.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.complete.Manifest;
import dev.batchline.job.JobId;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.job.JobStore;
import dev.batchline.job.Lineage;
import dev.batchline.job.PartRecord;
import dev.batchline.storage.S3Layout;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the {@code batchline} commands do to a stack's jobs, through its bucket and job table only:
 * the same calls against a deployed stack and the local one.
 */
public final class JobOperations {

    /** Upload parts of 64 MB: a 10 GB file in 160 parts, well inside S3's 10,000. */
    static final int UPLOAD_PART_BYTES = 64 * 1024 * 1024;
    private static final int COPY_BUFFER = 1024 * 1024;
    private static final int DELETE_BATCH = 1000;

    private final S3Client s3;
    private final JobStore jobs;
    private final String bucket;
    private final ObjectMapper mapper;

    public JobOperations(S3Client s3, JobStore jobs, String bucket, ObjectMapper mapper) {
        this.s3 = s3;
        this.jobs = jobs;
        this.bucket = bucket;
        this.mapper = mapper;
    }

    /** A file put into the inbox: the job it becomes, whose id is known before the upload trigger runs. */
    public record Submitted(String jobId, String key) {
    }

    /**
     * Uploads {@code file} to {@code inbox/<profile>/} ({@code inbox/} for the stack's default profile
     * when {@code profile} is null), reporting the bytes sent so far to {@code progress}.
     */
    public Submitted submit(Path file, String profile, Lineage lineage, LongConsumer progress) throws IOException {
        String name = file.getFileName().toString();
        String key = profile == null ? S3Layout.INBOX + name : S3Layout.inboxKey(profile, name);
        try (InputStream in = Files.newInputStream(file)) {
            return upload(key, lineage, out -> {
                byte[] buffer = new byte[COPY_BUFFER];
                long sent = 0;
                for (int read; (read = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, read);
                    sent += read;
                    progress.accept(sent);
                }
            });
        }
    }

    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private Submitted upload(String key, Lineage lineage, Writer writer) throws IOException {
        S3ObjectOutputStream out = new S3ObjectOutputStream(s3, bucket, key, "application/jsonl", UPLOAD_PART_BYTES)
                .withMetadata(lineage.metadata());
        try {
            writer.writeTo(out);
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
        out.close();
        return new Submitted(JobId.of(bucket, key, out.storedVersion()), key);
    }

    public Optional<JobRecord> find(String jobId) {
        return jobs.find(jobId);
    }

    public JobRecord require(String jobId) {
        return jobs.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    }

    public List<JobRecord> newest(JobStatus status, int limit) {
        return jobs.newest(status, limit);
    }

    /** A job and where each of its parts stands. */
    public record JobView(JobRecord job, List<PartRecord> parts) {
    }

    public JobView view(String jobId) {
        return new JobView(require(jobId), jobs.partRecords(jobId));
    }

    /** The job's manifest, once it finished. */
    public Optional<JsonNode> manifest(String jobId) throws IOException {
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(S3Layout.manifest(jobId)))) {
            return Optional.of(mapper.readTree(in));
        } catch (NoSuchKeyException absent) {
            return Optional.empty();
        }
    }

    /** The rejection report of a job whose file was refused. */
    public JsonNode rejection(String jobId) throws IOException {
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(S3Layout.rejectionReport(jobId)))) {
            return mapper.readTree(in);
        }
    }

    /**
     * Asks the workflow to cancel the job: its batches are cancelled at their next poll, its parts
     * not yet submitted are never submitted, and what finished is kept. Refused once the job ended.
     */
    public JobRecord cancel(String jobId) {
        JobRecord job = require(jobId);
        if (job.status().isFinal() || job.status() == JobStatus.REJECTED) {
            throw new JobStateException("job " + jobId + " has ended (" + job.status() + "): nothing to cancel");
        }
        jobs.requestCancel(jobId);
        return require(jobId);
    }

    /**
     * Streams one of the job's merged files ({@code output.jsonl} when {@code succeeded}, else
     * {@code errors.jsonl}) to {@code out}; refused before the job finished or when it wrote none.
     */
    public long copyMerged(String jobId, boolean succeeded, OutputStream out) throws IOException {
        JsonNode manifest = finishedManifest(jobId);
        JsonNode merged = manifest.path("merged");
        String field = succeeded ? "results" : "errors";
        if (!merged.hasNonNull(field)) {
            throw new JobStateException("job " + jobId + " wrote no merged file (BATCHLINE_RECORD_OUTPUTS=objects): "
                    + "copy its per-record objects with results --out DIR");
        }
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(merged.get(field).asText()))) {
            return in.transferTo(out);
        }
    }

    /** Copies the finished job (manifest, merged files, per-record files) into {@code target}. */
    public RecordFolder.Copied copyOut(String jobId, Path target, boolean records) throws IOException {
        finishedManifest(jobId);
        return new RecordFolder(s3, bucket, mapper).copyOut(jobId, target, records);
    }

    private JsonNode finishedManifest(String jobId) throws IOException {
        JobRecord job = require(jobId);
        return manifest(jobId).orElseThrow(() -> new JobStateException("job " + jobId + " is " + job.status()
                + ": its results are there once it completes (status --watch follows it)"));
    }

    /** A retry submitted: the new job and the requests it resubmits. */
    public record Retried(String jobId, String key, long requests) {
    }

    /**
     * A new job of the finished job's failed requests that {@code codes} retries, read from its
     * staged parts (kept for the profiles' longest job plus 14 days), linked both ways: the new job's
     * manifest names this one, and this one's manifest lists the new job in {@code retriedBy}.
     * Empty when no request is to be retried; refused for a job retried already (retry the retry), or
     * whose retry another caller has claimed.
     */
    public Optional<Retried> retry(String jobId, RetryableCodes codes) throws IOException {
        JobRecord job = require(jobId);
        JsonNode manifest = finishedManifest(jobId);
        if (!job.retriedBy().isEmpty()) {
            throw new JobStateException("job " + jobId + " was retried already, by job " + job.retriedBy().get(
                    job.retriedBy().size() - 1) + ": retry that one for what still fails (a second retry of the "
                    + "same requests would pay for them twice)");
        }
        Lineage lineage = job.lineage().retryOf(jobId);
        RetrySelection selection = RetrySelection.of(s3, bucket, jobId, manifest, jobs.partRecords(jobId), codes,
                mapper);
        if (selection.isEmpty()) {
            return Optional.empty();
        }
        String key = S3Layout.inboxKey(job.profile(), jobId + "-retry-" + lineage.generation() + ".jsonl");
        // Claimed first: of two retries at once only one uploads.
        if (!jobs.claimRetry(jobId, key)) {
            throw new JobStateException("a retry of job " + jobId + " was started before (s3://" + bucket + "/" + key
                    + "): batchline jobs shows it once the upload trigger takes it");
        }
        long[] written = new long[1];
        Submitted submitted;
        try {
            submitted = upload(key, lineage, out -> {
                written[0] = selection.copyRequests(jobs.parts(jobId), out);
                if (written[0] < selection.size()) {
                    throw new JobStateException("job " + jobId + "'s staged parts hold " + written[0] + " of the "
                            + selection.size() + " requests to retry: nothing was submitted");
                }
            });
        } catch (IOException | RuntimeException e) {
            jobs.releaseRetry(jobId, key);
            throw e;
        }
        jobs.recordRetry(jobId, submitted.jobId());
        noteRetry(jobId, manifest, submitted.jobId());
        return Optional.of(new Retried(submitted.jobId(), key, written[0]));
    }

    private void noteRetry(String jobId, JsonNode manifest, String retryJobId) throws IOException {
        ObjectNode updated = manifest.deepCopy();
        ArrayNode retriedBy = updated.has(Manifest.RETRIED_BY) && updated.get(Manifest.RETRIED_BY).isArray()
                ? (ArrayNode) updated.get(Manifest.RETRIED_BY) : updated.putArray(Manifest.RETRIED_BY);
        retriedBy.add(retryJobId);
        s3.putObject(r -> r.bucket(bucket).key(S3Layout.manifest(jobId)).contentType("application/json"),
                RequestBody.fromBytes(mapper.writeValueAsBytes(updated)));
    }

    /** What a delete removed. */
    public record Deleted(String jobId, long objects) {
    }

    /**
     * Removes the job's objects (staged parts, provider copies, records, merged files, manifest,
     * rejection report) and its records in the table; the uploaded file in {@code inbox/} is the
     * user's and stays. Refused while the job runs: cancel it and let it end first.
     */
    public Deleted delete(String jobId) {
        JobRecord job = require(jobId);
        if (!job.status().isFinal() && job.status() != JobStatus.REJECTED) {
            throw new JobStateException("job " + jobId + " is " + job.status() + ": cancel it (batchline cancel) "
                    + "and delete it once it has ended");
        }
        long objects = 0;
        for (String prefix : List.of(S3Layout.stagingPrefix(jobId), S3Layout.PROVIDER + jobId + "/",
                S3Layout.RESULTS + jobId + "/", S3Layout.ERRORS + jobId + "/", S3Layout.REJECTED + jobId + "/")) {
            objects += deleteUnder(prefix);
        }
        jobs.delete(jobId);
        return new Deleted(jobId, objects);
    }

    private long deleteUnder(String prefix) {
        long deleted = 0;
        List<ObjectIdentifier> batch = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
            batch.add(ObjectIdentifier.builder().key(object.key()).build());
            if (batch.size() == DELETE_BATCH) {
                deleted += deleteObjects(batch);
            }
        }
        return deleted + deleteObjects(batch);
    }

    private long deleteObjects(List<ObjectIdentifier> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<ObjectIdentifier> keys = List.copyOf(batch);
        batch.clear();
        var response = s3.deleteObjects(r -> r.bucket(bucket).delete(d -> d.objects(keys).quiet(true)));
        if (response.hasErrors() && !response.errors().isEmpty()) {
            throw new IllegalStateException("S3 kept " + response.errors().size() + " object(s), the first "
                    + response.errors().get(0).key() + ": " + response.errors().get(0).message());
        }
        return keys.size();
    }
}
