package dev.batchline.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.AwsClients;
import dev.batchline.lambda.BatchlineConfig;
import dev.batchline.config.Json;
import dev.batchline.emulators.AwsEmulators;
import dev.batchline.finalize.FinalRecord;
import dev.batchline.finalize.FinalizeService;
import dev.batchline.finalize.FinalizeSettings;
import dev.batchline.finalize.RecordEvents;
import dev.batchline.finalize.RecordOutputs;
import dev.batchline.finalize.RecordSink;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.job.MergedSegment;
import dev.batchline.job.PartProgress;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.S3Layout;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Finalize's accounting at scale: a part of 50,000 custom_ids and one of 5,000,000, each staged as
 * ingest stages it (requests, ids file, index) with its provider output in S3Proxy, finalized in
 * slices of 20,000 into a sink that only counts, so what is measured is reading the output, finding
 * each id in the index and keeping the checkpoints. Each part is finalized in a JVM of its own with
 * a 512 MB heap (after a 50,000-record warm-up part in that JVM), which samples its heap as it goes;
 * the emulators run in this JVM. Prints records/s of each, the ratio of their per-record costs and
 * the peak heap. Arguments: [small (50000)] [large (5000000)].
 */
public final class FinalizeAccountingBench {

    private static final String BUCKET = "bench";
    private static final String TABLE = "jobs";

    private FinalizeAccountingBench() {
    }

    public static void main(String[] args) throws Exception {
        int small = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int large = args.length > 1 ? Integer.parseInt(args[1]) : 5_000_000;
        try (AwsEmulators emulators = AwsEmulators.start()) {
            S3Client s3 = LocalPipeline.clients(emulators).s3();
            DynamoDbClient dynamo = LocalPipeline.clients(emulators).dynamo();
            s3.createBucket(r -> r.bucket(BUCKET));
            dynamo.createTable(DynamoJobStore.createTableRequest(TABLE));
            DynamoJobStore jobs = new DynamoJobStore(dynamo, TABLE);
            for (String job : List.of("warm-small", "small", "warm-large")) {
                stage(s3, jobs, job, small);
            }
            long staging = System.nanoTime();
            stage(s3, jobs, "large", large);
            System.out.printf("staged %,d requests, their ids, index and provider output in %.0f s%n", large,
                    (System.nanoTime() - staging) / 1e9);
            String smallResult = child(emulators, "warm-small", "small");
            String largeResult = child(emulators, "warm-large", "large");
            double smallRate = Double.parseDouble(smallResult.split(" ")[0]);
            double largeRate = Double.parseDouble(largeResult.split(" ")[0]);
            System.out.printf("part of %,9d ids: %,8.0f records/s, peak heap %s MB%n", small, smallRate,
                    smallResult.split(" ")[1]);
            System.out.printf("part of %,9d ids: %,8.0f records/s, peak heap %s MB%n", large, largeRate,
                    largeResult.split(" ")[1]);
            System.out.printf("per-record cost, large part / small part: %.2f (target at most 1.2)%n",
                    smallRate / largeRate);
        }
        System.exit(0);
    }

    /** A part whose provider output reports each request once, in the order of the requests. */
    private static void stage(S3Client s3, DynamoJobStore jobs, String jobId, int requests) throws IOException {
        BenchParts.stage(s3, jobs, BUCKET, jobId, requests, i -> "req-" + i);
        s3.putObject(r -> r.bucket(BUCKET).key(S3Layout.providerBatch(jobId, 1)),
                software.amazon.awssdk.core.sync.RequestBody.fromString("{\"id\":\"batch_bench\",\"status\":"
                        + "\"completed\"}"));
        try (OutputStream out = new S3ObjectOutputStream(s3, BUCKET, S3Layout.providerOutput(jobId, 1),
                "application/jsonl", 8 * 1024 * 1024)) {
            for (int i = 1; i <= requests; i++) {
                out.write(("{\"id\":\"batch_req_" + i + "\",\"custom_id\":\"req-" + i + "\",\"response\":{"
                        + "\"status_code\":200,\"request_id\":\"req_" + i + "\",\"body\":{\"id\":\"chatcmpl-" + i
                        + "\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"billing\"},\"finish_reason\":\"stop\"}],\"usage\":{"
                        + "\"prompt_tokens\":40,\"completion_tokens\":2,\"total_tokens\":42}}},\"error\":null}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        jobs.startFinalize(jobId, 1);
    }

    /** Finalizes the parts in a JVM of 512 MB; returns "records/s peakMB" of the last one. */
    private static String child(AwsEmulators emulators, String... jobIds) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.java(), "-Xmx512m", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=log4j2-cli.xml", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()));
        command.addAll(List.of(jobIds));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = builder.environment();
        env.put("AWS_ENDPOINT_URL_S3", emulators.s3Endpoint().toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", emulators.dynamoEndpoint().toString());
        env.put("AWS_REGION", AwsEmulators.REGION.id());
        env.put("AWS_ACCESS_KEY_ID", AwsEmulators.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", AwsEmulators.SECRET_KEY);
        Process process = builder.start();
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("  " + line);
                last = line;
            }
        }
        if (process.waitFor() != 0 || last == null) {
            throw new IllegalStateException("the finalizing JVM failed (exit " + process.exitValue() + ")");
        }
        return last.substring(last.lastIndexOf(':') + 1).trim();
    }

    private static final class Path {
        static String java() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }

    /** The finalizing JVM: the functions' own clients, configured from the environment as in Lambda. */
    public static final class Child {

        public static void main(String[] jobIds) throws Exception {
            ObjectMapper mapper = Json.mapper();
            S3Client s3 = AwsClients.fromEnvironment().s3();
            DynamoJobStore jobs = new DynamoJobStore(AwsClients.fromEnvironment().dynamo(), TABLE);
            BatchlineConfig config = BatchlineConfig.fromEnvironment(Map.of("JOBS_TABLE_NAME", TABLE,
                    "EVENTS_QUEUE_URL", "unused"), mapper);
            AtomicLong counted = new AtomicLong();
            RecordSink.Factory counting = target -> new RecordSink() {
                @Override
                public void write(FinalRecord record) {
                    counted.incrementAndGet();
                }

                @Override
                public void withdrawResult(String customId) {
                    throw new IllegalStateException("the benchmark fails no part");
                }

                @Override
                public List<MergedSegment> flush() {
                    return List.of();
                }

                @Override
                public void committed() {
                }
            };
            FinalizeService finalizer = new FinalizeService(s3, jobs, new ProviderClients(config.profiles(), p -> {
                throw new IllegalStateException("the benchmark needs no provider");
            }), counting, new FinalizeSettings(20_000, FinalizeSettings.DEFAULTS.putThreads(), RecordEvents.NONE, RecordOutputs.OBJECTS,
                    Duration.ZERO), mapper, Clock.systemUTC());
            HeapSampler heap = new HeapSampler();
            heap.start();
            for (String jobId : jobIds) {
                counted.set(0);
                heap.reset();
                long start = System.nanoTime();
                PartProgress part = PartProgress.item(jobId, 1).withBatch("batch_bench", 0, 1, true, false);
                int slices = 0;
                while (!Boolean.FALSE.equals(part.moreWork())) {
                    part = finalizer.finalizePart(part, Instant.now().plusSeconds(3600));
                    slices++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long expected = jobs.part(jobId, 1).staged().requests();
                if (counted.get() != expected || jobs.part(jobId, 1).outcome().succeeded() != expected) {
                    throw new IllegalStateException(jobId + ": " + counted.get() + " records, "
                            + jobs.part(jobId, 1).outcome() + ", expected " + expected);
                }
                System.out.printf("%s: %,d records in %d slices, %.1f s: %.0f %d%n", jobId, expected, slices,
                        seconds, expected / seconds, heap.peakMegabytes());
            }
            System.exit(0);
        }
    }

    /** The most heap in use, sampled every 10 ms (garbage not yet collected included). */
    private static final class HeapSampler extends Thread {
        private volatile long peak;

        HeapSampler() {
            setDaemon(true);
        }

        void reset() {
            System.gc();
            peak = 0;
        }

        long peakMegabytes() {
            return peak / (1024 * 1024);
        }

        @Override
        public void run() {
            while (true) {
                peak = Math.max(peak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
