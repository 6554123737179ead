package dev.batchline.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.lambda.BatchlineConfig;
import dev.batchline.config.Json;
import dev.batchline.emulators.AwsEmulators;
import dev.batchline.finalize.FinalizeService;
import dev.batchline.finalize.FinalizeSettings;
import dev.batchline.finalize.RecordEvents;
import dev.batchline.finalize.RecordOutputs;
import dev.batchline.finalize.S3RecordSink;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.job.PartProgress;
import dev.batchline.notify.SqsEventPublisher;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.S3Layout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Finalize throughput against S3Proxy: a 50,000-record provider output split into one object per
 * record, beside the floor it cannot beat, a bare PutObject loop of the same objects at the same
 * concurrency, in the same run. The three runs alternate over several rounds after a warm-up round
 * (the emulator shares the JVM, so its JIT warms up with the first writes), and medians are
 * compared. Arguments: [records (50000)] [threads (16)] [rounds (3)].
 */
public final class FinalizeBench {

    private FinalizeBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ObjectMapper mapper = Json.mapper();
        try (AwsEmulators emulators = AwsEmulators.start()) {
            S3Client s3 = LocalPipeline.clients(emulators).s3();
            DynamoDbClient dynamo = LocalPipeline.clients(emulators).dynamo();
            SqsClient sqs = LocalPipeline.clients(emulators).sqs();
            s3.createBucket(r -> r.bucket("bench"));
            dynamo.createTable(DynamoJobStore.createTableRequest("jobs"));
            String queue = sqs.createQueue(r -> r.queueName("events")).queueUrl();
            DynamoJobStore jobs = new DynamoJobStore(dynamo, "jobs");
            StringBuilder output = new StringBuilder();
            List<String> lines = new ArrayList<>();
            for (int i = 1; i <= records; i++) {
                String line = "{\"id\":\"batch_req_" + i + "\",\"custom_id\":\"req-" + i + "\",\"response\":{"
                        + "\"status_code\":200,\"request_id\":\"req_" + i + "\",\"body\":{\"id\":\"chatcmpl-" + i
                        + "\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"billing\"},\"finish_reason\":\"stop\"}],\"usage\":{"
                        + "\"prompt_tokens\":40,\"completion_tokens\":2,\"total_tokens\":42}}},\"error\":null}";
                output.append(line).append('\n');
                lines.add(line);
            }
            System.out.printf("%d records of %d bytes, %d writer threads, S3Proxy on a temporary folder%n", records,
                    lines.get(0).length(), threads);

            double[] bare = new double[rounds];
            double[] withoutEvents = new double[rounds];
            double[] withEvents = new double[rounds];
            for (int round = 0; round <= rounds; round++) {
                int slot = Math.max(0, round - 1);
                bare[slot] = bareLoop(s3, lines, threads, "bare-" + round);
                withoutEvents[slot] = finalize(s3, jobs, sqs, queue, mapper, output, records, threads,
                        RecordEvents.NONE, "none-" + round);
                withEvents[slot] = finalize(s3, jobs, sqs, queue, mapper, output, records, threads,
                        RecordEvents.ALL, "all-" + round);
                System.out.printf("%s: bare %.0f, finalize %.0f, with events %.0f records/s%n",
                        round == 0 ? "warm-up" : "round " + round, bare[slot], withoutEvents[slot], withEvents[slot]);
            }
            System.out.printf("bare PutObject loop:           %.0f records/s (median of %d rounds)%n", median(bare),
                    rounds);
            System.out.printf("finalize, no record events:    %.0f records/s (ratio %.2f)%n", median(withoutEvents),
                    median(withoutEvents) / median(bare));
            System.out.printf("finalize, an event per record: %.0f records/s (ratio %.2f)%n", median(withEvents),
                    median(withEvents) / median(bare));
        }
        System.exit(0);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double bareLoop(S3Client s3, List<String> lines, int threads, String prefix) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String key = prefix + "/records/req-" + (i + 1) + ".json";
            String line = lines.get(i);
            writes.add(pool.submit(() -> s3.putObject(r -> r.bucket("bench").key(key).contentType("application/json"),
                    RequestBody.fromString(line))));
        }
        for (Future<?> write : writes) {
            write.get();
        }
        double rate = lines.size() / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        return rate;
    }

    private static double finalize(S3Client s3, DynamoJobStore jobs, SqsClient sqs, String queue, ObjectMapper mapper,
            CharSequence output, int records, int threads, RecordEvents events, String jobId)
            throws Exception {
        BenchParts.stage(s3, jobs, "bench", jobId, records, i -> "req-" + i);
        s3.putObject(r -> r.bucket("bench").key(S3Layout.providerBatch(jobId, 1)), RequestBody.fromString(
                "{\"id\":\"batch_bench\",\"status\":\"completed\"}"));
        s3.putObject(r -> r.bucket("bench").key(S3Layout.providerOutput(jobId, 1)),
                RequestBody.fromString(output.toString()));
        jobs.startFinalize(jobId, 1);
        BatchlineConfig config = BatchlineConfig.fromEnvironment(Map.of("JOBS_TABLE_NAME", "jobs",
                "EVENTS_QUEUE_URL", queue), mapper);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        FinalizeService finalizer = new FinalizeService(s3, jobs, new ProviderClients(config.profiles(), p -> {
            throw new IllegalStateException("the benchmark needs no provider");
        }), S3RecordSink.factory(s3, new S3RecordSink.Settings(pool,
                new SqsEventPublisher(sqs, queue, mapper), events, RecordOutputs.OBJECTS, mapper, Clock.systemUTC())),
                new FinalizeSettings(records, threads, events, RecordOutputs.OBJECTS, Duration.ZERO), mapper, Clock.systemUTC());
        PartProgress part = PartProgress.item(jobId, 1).withBatch("batch_bench", 0, 1, true, false);
        long start = System.nanoTime();
        while (!Boolean.FALSE.equals(part.moreWork())) {
            part = finalizer.finalizePart(part, Instant.now().plusSeconds(3600));
        }
        double rate = records / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        if (jobs.part(jobId, 1).outcome().succeeded() != records) {
            throw new IllegalStateException("finalize wrote " + jobs.part(jobId, 1).outcome() + ", not " + records);
        }
        return rate;
    }
}
