package dev.batchline.local.runtime;


import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.Manifest;
import dev.batchline.config.Json;
import dev.batchline.job.JobStatus;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What the end-to-end suites share: files of requests, the local pipeline's settings and fast
 * provider, and the promise's check (every request once, as objects and as merged lines, the
 * manifest's counts equal to them).
 */
public abstract class EndToEndSupport {

    /** The checkout; tests of infrastructure/aws run the pipeline too. */
    protected static final Path ROOT = Path.of(System.getProperty("batchline.root", "../..")).toAbsolutePath()
            .normalize();
    protected static final Path RUNNER = ROOT.resolve("infrastructure/local/sfn");
    protected static final Path DEFINITION = ROOT.resolve("statemachine/batchline.asl.json");
    protected static final Duration TIMEOUT = Duration.ofMinutes(3);

    protected final ObjectMapper mapper = Json.mapper();

    @TempDir
    protected Path directory;

    protected static LocalPipeline.Settings settings(LocalProviderConfig provider, Map<String, Object> profile,
            Map<String, String> env) {
        return new LocalPipeline.Settings(provider, null, null, RUNNER, DEFINITION, "generic", profile, env);
    }

    public static LocalProviderConfig fast(LocalProviderConfig.Faults faults) {
        return new LocalProviderConfig(new LocalProviderConfig.Timing(50L, 2_000, 50L, 50L, null), faults, null);
    }

    protected Path requests(String name, int count) throws Exception {
        return writeRequests(directory.resolve(name), count);
    }

    /** {@code count} chat requests, {@code req-1} to {@code req-<count>}, into {@code file}. */
    public static Path writeRequests(Path file, int count) throws IOException {
        Files.writeString(file, IntStream.rangeClosed(1, count)
                .mapToObj(i -> "{\"custom_id\":\"req-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}]}}\n")
                .collect(Collectors.joining()));
        return file;
    }

    /** A provider that refuses the first file uploaded to it for good (401): that part fails alone. */
    public static LocalProviderConfig.Faults firstUploadRefused() {
        return new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/files", 401, 1, null)),
                null, null, null, null, null);
    }

    protected List<String> keys(LocalPipeline pipeline, String prefix) {
        List<String> keys = new ArrayList<>();
        pipeline.s3().listObjectsV2Paginator(r -> r.bucket(LocalPipeline.BUCKET).prefix(prefix)).contents()
                .forEach((S3Object o) -> keys.add(o.key()));
        return keys;
    }

    protected List<JsonNode> events(LocalPipeline pipeline) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        while (true) {
            List<Message> messages = pipeline.sqs().receiveMessage(r -> r.queueUrl(pipeline.eventsQueueUrl())
                    .maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (messages.isEmpty()) {
                return events;
            }
            for (Message message : messages) {
                events.add(mapper.readTree(message.body()));
                pipeline.sqs().deleteMessage(r -> r.queueUrl(pipeline.eventsQueueUrl())
                        .receiptHandle(message.receiptHandle()));
            }
        }
    }

    /**
     * Every input custom_id in exactly one of results/ and errors/, as objects and in the merged files,
     * whichever the job wrote, and the manifest's counts equal to both; returns the error records by id.
     */
    protected Map<String, JsonNode> assertAccountedFor(LocalPipeline pipeline, String jobId, int requests)
            throws Exception {
        List<String> expected = IntStream.rangeClosed(1, requests).mapToObj(i -> "req-" + i).toList();
        JsonNode manifest = mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                .key(S3Layout.manifest(jobId))).asByteArray());
        assertThat(manifest.path("accountedFor").asBoolean()).isTrue();
        // The manifest holds to its documented shape: every field a Manifest has, and no other.
        Manifest typed = mapper.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(mapper.writeValueAsBytes(manifest), Manifest.class);
        assertThat(typed.schemaVersion()).isEqualTo(Manifest.SCHEMA_VERSION);
        assertThat(typed.counts().total()).isEqualTo(requests);
        assertThat(typed.parts().stream().mapToLong(Manifest.Part::requests).sum()).isEqualTo(requests);
        long errorCount = typed.counts().failed() + typed.counts().expired() + typed.counts().cancelled()
                + typed.counts().missing();
        assertThat(typed.records() != null || typed.merged() != null).isTrue();
        Map<String, JsonNode> errorRecords = new java.util.TreeMap<>();
        if (typed.records() != null) {
            List<String> results = keys(pipeline, S3Layout.recordsPrefix(jobId, true));
            List<String> errors = keys(pipeline, S3Layout.recordsPrefix(jobId, false));
            List<String> ids = new ArrayList<>();
            results.forEach(k -> ids.add(k.substring(k.lastIndexOf('/') + 1).replace(".json", "")));
            for (String key : errors) {
                String id = key.substring(key.lastIndexOf('/') + 1).replace(".json", "");
                ids.add(id);
                errorRecords.put(id, mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                        .key(key)).asByteArray()));
            }
            assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(typed.counts().succeeded()).isEqualTo(results.size());
            assertThat(errorCount).isEqualTo(errors.size());
            assertThat(typed.records()).isEqualTo(new Manifest.Records(S3Layout.recordsPrefix(jobId, true),
                    S3Layout.recordsPrefix(jobId, false)));
        }
        if (typed.merged() != null) {
            List<JsonNode> results = mergedLines(pipeline, typed.merged().results());
            List<JsonNode> errors = mergedLines(pipeline, typed.merged().errors());
            List<String> ids = new ArrayList<>();
            results.forEach(line -> ids.add(line.path("custom_id").asText()));
            Map<String, JsonNode> mergedErrors = new java.util.TreeMap<>();
            errors.forEach(line -> {
                ids.add(line.path("custom_id").asText());
                mergedErrors.put(line.path("custom_id").asText(), line);
            });
            assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(typed.merged()).isEqualTo(new Manifest.Merged(S3Layout.mergedOutput(jobId, true),
                    typed.counts().succeeded(), S3Layout.mergedOutput(jobId, false), errorCount));
            assertThat(results).hasSize((int) typed.counts().succeeded());
            if (typed.records() != null) {
                assertThat(mergedErrors).isEqualTo(errorRecords);
            }
            errorRecords = mergedErrors;
        }
        return errorRecords;
    }

    protected List<JsonNode> mergedLines(LocalPipeline pipeline, String key) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        String content = pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET).key(key)).asUtf8String();
        for (String line : content.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    protected Manifest manifest(LocalPipeline pipeline, String jobId) throws Exception {
        return mapper.readValue(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                .key(S3Layout.manifest(jobId))).asByteArray(), Manifest.class);
    }

    protected String runToEnd(LocalPipeline pipeline, Path file) throws Exception {
        return runToEnd(pipeline, file, TIMEOUT).jobId();
    }

    protected record Run(String jobId, LocalStepFunctions.Outcome execution) {
    }

    protected Run runToEnd(LocalPipeline pipeline, Path file, Duration timeout) throws Exception {
        String jobId = pipeline.submit(file, LocalPipeline.LOCAL_PROFILE).path("jobId").asText();
        LocalStepFunctions.Outcome execution = pipeline.await(jobId, timeout);
        assertThat(execution.succeeded()).as(execution.error() + ": " + execution.cause()).isTrue();
        assertThat(pipeline.jobs().find(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        return new Run(jobId, execution);
    }

    /** Provider batches created for the job, counted at the local provider. */
    protected static long providerBatches(LocalPipeline pipeline, String jobId) throws Exception {
        return providerBatchList(pipeline, jobId).size();
    }

    /** The job's batches as the local provider lists them. */
    protected static List<JsonNode> providerBatchList(LocalPipeline pipeline, String jobId) throws Exception {
        java.net.http.HttpResponse<String> list = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(pipeline.localProviderUrl()
                        + "/batches?limit=100")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        List<JsonNode> batches = new ArrayList<>();
        for (JsonNode batch : Json.mapper().readTree(list.body()).path("data")) {
            if (jobId.equals(batch.path("metadata").path("batchline_job").asText())) {
                batches.add(batch);
            }
        }
        return batches;
    }

    protected List<String> providerFiles(LocalPipeline pipeline) throws Exception {
        java.net.http.HttpResponse<String> files = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(pipeline.localProviderUrl() + "/files"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        List<String> names = new ArrayList<>();
        mapper.readTree(files.body()).path("data").forEach(file -> names.add(file.path("filename").asText()));
        return names;
    }
}
