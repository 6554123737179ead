package dev.batchline.local.bench;

import dev.batchline.ids.Fingerprinter;
import dev.batchline.ingest.PartStore;
import dev.batchline.ingest.S3PartStore;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.Lineage;
import dev.batchline.job.JobRecord;
import dev.batchline.job.SourceObject;
import dev.batchline.job.StagedPart;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.s3.S3Client;

/** A job of one part staged as ingest stages it (requests, ids, index), its batch recorded as done. */
final class BenchParts {

    private BenchParts() {
    }

    /** Stages {@code requests} requests, the i-th (from 1) with {@code customId.apply(i)}. */
    static void stage(S3Client s3, DynamoJobStore jobs, String bucket, String jobId, int requests,
            IntFunction<String> customId) throws IOException {
        S3PartStore store = new S3PartStore(s3, bucket, jobId, 8 * 1024 * 1024);
        PartStore.PartOutput part = store.open(1);
        OutputStream out = part.stream();
        Fingerprinter fingerprint = new Fingerprinter();
        long bytes = 0;
        for (int i = 1; i <= requests; i++) {
            String id = customId.apply(i);
            byte[] line = ("{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                    + "\"body\":{\"model\":\"m\",\"messages\":[]}}\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            bytes += line.length;
            fingerprint.hash(id);
            part.addId(id.toCharArray(), id.length(), fingerprint.first(), fingerprint.second());
        }
        String key = part.commit();
        Instant now = Instant.now();
        jobs.claim(JobRecord.validating(jobId, "generic", new SourceObject(bucket, "inbox/" + jobId + ".jsonl", null,
                "e", bytes), now, now.plusSeconds(60)), now);
        jobs.saveParts(jobId, List.of(new StagedPart(1, key, 1, requests, bytes)));
        jobs.markSubmitting(jobId, requests, 1, "/v1/chat/completions", "m",
                Lineage.ORIGINAL, now);
        jobs.markRunning(jobId, "local", now);
        jobs.recordBatch(jobId, 1, "batch_bench", now);
    }
}
