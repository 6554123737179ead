package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.Manifest;
import dev.batchline.config.Json;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.storage.S3Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;

/** Files through the whole pipeline: upload trigger, the real ASL on the local engine, the local provider. */
class PipelineEndToEndTest {

    static final Path RUNNER = Path.of("sfn");
    static final Path DEFINITION = Path.of("../../statemachine/batchline.asl.json");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final ObjectMapper mapper = Json.mapper();

    @TempDir
    Path directory;

    static LocalPipeline.Settings settings(LocalProviderConfig provider, Map<String, Object> profile,
            Map<String, String> env) {
        return new LocalPipeline.Settings(provider, null, null, RUNNER, DEFINITION, "generic", profile, env);
    }

    static LocalProviderConfig fast(LocalProviderConfig.Faults faults) {
        return new LocalProviderConfig(new LocalProviderConfig.Timing(50L, 2_000, 50L, 50L, null), faults, null);
    }

    private Path requests(String name, int count) throws Exception {
        Path file = directory.resolve(name);
        Files.writeString(file, IntStream.rangeClosed(1, count)
                .mapToObj(i -> "{\"custom_id\":\"req-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}]}}\n")
                .collect(Collectors.joining()));
        return file;
    }

    private List<String> keys(LocalPipeline pipeline, String prefix) {
        List<String> keys = new ArrayList<>();
        pipeline.s3().listObjectsV2Paginator(r -> r.bucket(LocalPipeline.BUCKET).prefix(prefix)).contents()
                .forEach((S3Object o) -> keys.add(o.key()));
        return keys;
    }

    private List<JsonNode> events(LocalPipeline pipeline) throws Exception {
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
    private Map<String, JsonNode> assertAccountedFor(LocalPipeline pipeline, String jobId, int requests)
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

    private List<JsonNode> mergedLines(LocalPipeline pipeline, String key) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        String content = pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET).key(key)).asUtf8String();
        for (String line : content.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    private Manifest manifest(LocalPipeline pipeline, String jobId) throws Exception {
        return mapper.readValue(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                .key(S3Layout.manifest(jobId))).asByteArray(), Manifest.class);
    }

    private String runToEnd(LocalPipeline pipeline, Path file) throws Exception {
        return runToEnd(pipeline, file, TIMEOUT).jobId();
    }

    private record Run(String jobId, LocalStepFunctions.Outcome execution) {
    }

    private Run runToEnd(LocalPipeline pipeline, Path file, Duration timeout) throws Exception {
        String jobId = pipeline.submit(file, LocalPipeline.LOCAL_PROFILE).path("jobId").asText();
        LocalStepFunctions.Outcome execution = pipeline.await(jobId, timeout);
        assertThat(execution.succeeded()).as(execution.error() + ": " + execution.cause()).isTrue();
        assertThat(pipeline.jobs().find(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        return new Run(jobId, execution);
    }

    /** Provider batches created for the job, counted at the local provider. */
    private static long providerBatches(LocalPipeline pipeline, String jobId) throws Exception {
        return providerBatchList(pipeline, jobId).size();
    }

    /** The job's batches as the local provider lists them. */
    private static List<JsonNode> providerBatchList(LocalPipeline pipeline, String jobId) throws Exception {
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

    @Test
    void partialFailures_endInErrorsWithTheProvidersCode() throws Exception {
        LocalProviderConfig.Faults failing = new LocalProviderConfig.Faults(List.of(
                new LocalProviderConfig.RequestFailure("req-[3-5]", 400, "invalid_prompt", "Refused.")),
                null, null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(failing), Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("partial.jsonl", 12));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 12);
            assertThat(errors).containsOnlyKeys("req-3", "req-4", "req-5");
            assertThat(errors.get("req-4").path("response").path("status_code").asInt()).isEqualTo(400);
            assertThat(events(pipeline)).filteredOn(e -> e.path("type").asText().equals("batchline.record.failed"))
                    .extracting(e -> e.path("data").path("errorCode").asText()).containsOnly("invalid_prompt")
                    .hasSize(3);
        }
    }

    @Test
    void expiredBatch_keepsWhatWasDoneAndReportsTheRestAsExpired() throws Exception {
        LocalProviderConfig slow = new LocalProviderConfig(new LocalProviderConfig.Timing(50L, 20, 50L, 50L, 1_500L),
                null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(slow, Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("expire.jsonl", 200));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 200);
            assertThat(errors).isNotEmpty().hasSizeLessThan(200);
            assertThat(errors.values()).allSatisfy(e -> assertThat(e.path("error").path("code").asText())
                    .isEqualTo("batch_expired"));
            JsonNode manifest = mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                    .key(S3Layout.manifest(jobId))).asByteArray());
            assertThat(manifest.path("counts").path("expired").asInt()).isEqualTo(errors.size());
        }
    }

    /** A provider slow enough (20 requests a second) for a cancel to find the batch running. */
    private static LocalProviderConfig slow() {
        return new LocalProviderConfig(new LocalProviderConfig.Timing(50L, 20, 50L, 50L, null), null, null);
    }

    /** Submits the file, asks for the job's cancellation once part 1's batch runs, and awaits the end. */
    private String cancelOnceTheFirstPartRuns(LocalPipeline pipeline, Path file) throws Exception {
        String jobId = pipeline.submit(file, LocalPipeline.LOCAL_PROFILE).path("jobId").asText();
        for (int poll = 0; poll < 600 && !"in_progress".equals(pipeline.jobs().part(jobId, 1).batchStatus());
                poll++) {
            Thread.sleep(50);
        }
        pipeline.jobs().requestCancel(jobId);
        LocalStepFunctions.Outcome execution = pipeline.await(jobId, TIMEOUT);
        assertThat(execution.succeeded()).as(execution.error() + ": " + execution.cause()).isTrue();
        return jobId;
    }

    @Test
    void cancelledJob_endsWithPartialResultsAndCancelledRecords() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(slow(), Map.of(), Map.of()))) {
            String jobId = cancelOnceTheFirstPartRuns(pipeline, requests("cancel.jsonl", 300));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 300);
            assertThat(errors).isNotEmpty();
            assertThat(errors.values()).allSatisfy(e -> assertThat(e.path("error").path("code").asText())
                    .isEqualTo("batch_cancelled"));
            assertThat(pipeline.jobs().part(jobId, 1).batchStatus()).isEqualTo("cancelled");
        }
    }

    @Test
    void cancelledJob_neverSubmitsTheParts_stillWaitingForTheirTurn() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(slow(),
                Map.of("maxRequestsPerBatch", 100, "maxConcurrentBatches", 1), Map.of()))) {
            String jobId = cancelOnceTheFirstPartRuns(pipeline, requests("cancel-waiting.jsonl", 300));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 300);
            assertThat(errors.values()).allSatisfy(e -> assertThat(e.path("error").path("code").asText())
                    .isEqualTo("batch_cancelled"));
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
            for (int part = 2; part <= 3; part++) {
                assertThat(pipeline.jobs().part(jobId, part).batchId()).isNull();
                assertThat(pipeline.jobs().part(jobId, part).outcome().cancelled()).isEqualTo(100);
            }
            assertThat(errors.get("req-300").path("error").path("message").asText())
                    .isEqualTo("The job was cancelled before this part was submitted.");
        }
    }

    @Test
    void duplicateUploadEvent_makesOneJobOneExecutionAndOneProviderBatch() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of(), Map.of()))) {
            Path file = requests("twice.jsonl", 5);
            JsonNode first = pipeline.submit(file, LocalPipeline.LOCAL_PROFILE);
            String key = "inbox/" + LocalPipeline.LOCAL_PROFILE + "/twice.jsonl";
            String etag = pipeline.s3().headObject(r -> r.bucket(LocalPipeline.BUCKET).key(key)).eTag()
                    .replace("\"", "");
            JsonNode second = pipeline.trigger(key, etag, Files.size(file)).path("outcomes").get(0);
            String jobId = first.path("jobId").asText();
            pipeline.await(jobId, TIMEOUT);

            assertThat(second.path("jobId").asText()).isEqualTo(jobId);
            assertThat(second.path("result").asText()).isEqualTo("DUPLICATE");
            assertAccountedFor(pipeline, jobId, 5);
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
            assertThat(events(pipeline)).filteredOn(e -> e.path("type").asText().equals("batchline.job.completed"))
                    .hasSize(1);
        }
    }

    @Test
    void fileOverTheBatchLimit_runsAsSeveralPartsEachItsOwnBatch() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null),
                Map.of("maxRequestsPerBatch", 10, "maxConcurrentBatches", 2), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("split.jsonl", 25));

            assertThat(pipeline.jobs().parts(jobId)).hasSize(3);
            assertAccountedFor(pipeline, jobId, 25);
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(3);
        }
    }

    /** A local run is configured as a deployment is: the profile overrides in BATCHLINE_PROFILES apply. */
    @Test
    void profileOverridesFromTheEnvironment_splitTheFileAsTheyWouldOnAws() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of(), Map.of("BATCHLINE_PROFILES",
                "{\"generic\": {\"maxRequestsPerBatch\": 100, \"maxConcurrentBatches\": 10}}")))) {
            String jobId = runToEnd(pipeline, requests("thousand.jsonl", 1_000));

            assertThat(pipeline.jobs().parts(jobId)).hasSize(10)
                    .allSatisfy(part -> assertThat(part.requests()).isEqualTo(100));
            assertAccountedFor(pipeline, jobId, 1_000);
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(10);
        }
    }

    /** Step Functions refuses any state input or output over 256 KB: the Map's payloads must not grow with parts. */
    @Test
    void jobOfTwoThousandParts_runsToTheEndWithEveryStateUnder256Kilobytes() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null),
                Map.of("maxRequestsPerBatch", 2, "maxConcurrentBatches", 50), Map.of("BATCHLINE_RECORD_EVENTS",
                        "failures")))) {
            Run run = runToEnd(pipeline, requests("many-parts.jsonl", 4_000), Duration.ofMinutes(15));

            assertThat(pipeline.jobs().parts(run.jobId())).hasSize(2_000);
            assertAccountedFor(pipeline, run.jobId(), 4_000);
            assertThat(run.execution().largestStateBytes()).as("largest state: %s", run.execution().largestState())
                    .isBetween(2_000L * 2, 256L * 1024);
        }
    }

    /**
     * The provider creates the batch, then its answer is lost (a 502 in its place): SubmitBatch must
     * find that batch by its metadata on the retry rather than create a twin.
     */
    @Test
    void lostAnswerToABatchCreation_findsTheBatchInsteadOfCreatingATwin() throws Exception {
        LocalProviderConfig.Faults lostAnswer = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/batches", 502, 1, null, true)),
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(lostAnswer), Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("lost-answer.jsonl", 6));

            assertAccountedFor(pipeline, jobId, 6);
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
        }
    }

    /**
     * A batch creation held past the client's time-out (1 s) that takes effect 8 s later, after the
     * retried SubmitBatch found nothing and created the part's batch: the twin is found when the
     * part's batch ends, still running (20 requests at 1 a second), and cancelled.
     */
    @Test
    void aCreateThatTakesEffectAfterTheClientGaveUp_leavesATwinThatIsCancelled() throws Exception {
        LocalProviderConfig.Faults stalledCreate = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/batches", 502, 1, null, true, 8_000L)),
                null, null, null, null, null);
        LocalProviderConfig slow = new LocalProviderConfig(new LocalProviderConfig.Timing(50L, 1, 50L, 50L, null),
                stalledCreate, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(slow, Map.of("callTimeoutSeconds", 1,
                "maxPollSeconds", 1), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("stalled-create.jsonl", 20));

            assertAccountedFor(pipeline, jobId, 20);
            String recorded = pipeline.jobs().part(jobId, 1).batchId();
            List<JsonNode> batches = providerBatchList(pipeline, jobId);
            assertThat(batches).hasSize(2);
            assertThat(batches).filteredOn(batch -> !batch.path("id").asText().equals(recorded))
                    .singleElement().satisfies(twin -> assertThat(twin.path("status").asText())
                            .isIn("cancelling", "cancelled"));
        }
    }

    /**
     * Merged output only: no per-record object is written; output.jsonl and errors.jsonl hold every
     * request once across slices of three and two parts, and each record event names the merged
     * segment and line and carries the record.
     */
    @Test
    void mergedOutputOnly_writesNoRecordObjects_andTheMergedFilesHoldEveryRequestOnce() throws Exception {
        LocalProviderConfig.Faults twoFail = new LocalProviderConfig.Faults(List.of(
                new LocalProviderConfig.RequestFailure("req-(3|8)", 400, "invalid_request", "bad")), null,
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(twoFail), Map.of("maxRequestsPerBatch", 5),
                Map.of("BATCHLINE_RECORD_OUTPUTS", "merged", "BATCHLINE_FINALIZE_SLICE", "3")))) {
            String jobId = runToEnd(pipeline, requests("merged.jsonl", 10));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 10);
            assertThat(errors).containsOnlyKeys("req-3", "req-8");
            assertThat(manifest(pipeline, jobId).records()).isNull();
            assertThat(keys(pipeline, S3Layout.recordsPrefix(jobId, true))).isEmpty();
            assertThat(keys(pipeline, S3Layout.recordsPrefix(jobId, false))).isEmpty();
            List<JsonNode> recordEvents = events(pipeline).stream()
                    .filter(e -> e.path("type").asText().startsWith("batchline.record.")).toList();
            assertThat(recordEvents).hasSize(10).allSatisfy(event -> {
                JsonNode data = event.path("data");
                assertThat(data.path("key").asText()).contains("/merged/part-");
                assertThat(data.path("line").asLong()).isPositive();
                assertThat(data.path("record").path("custom_id").asText()).isEqualTo(data.path("customId").asText());
            });
        }
    }

    /** Once copied whole, a part's input, output and error files are deleted at the provider, unless the profile keeps them. */
    @Test
    void providerFiles_areDeletedOnceCopied_unlessTheProfileKeepsThem() throws Exception {
        LocalProviderConfig.Faults oneFails = new LocalProviderConfig.Faults(List.of(
                new LocalProviderConfig.RequestFailure("req-2", 400, "invalid_request", "bad")), null,
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(oneFails), Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("cleaned.jsonl", 4));

            assertAccountedFor(pipeline, jobId, 4);
            assertThat(providerFiles(pipeline)).isEmpty();
        }
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(oneFails),
                Map.of("deleteProviderFiles", false), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("kept.jsonl", 4));

            assertAccountedFor(pipeline, jobId, 4);
            assertThat(providerFiles(pipeline)).hasSize(3); // input, output, errors
        }
    }

    private List<String> providerFiles(LocalPipeline pipeline) throws Exception {
        java.net.http.HttpResponse<String> files = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(pipeline.localProviderUrl() + "/files"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        List<String> names = new ArrayList<>();
        mapper.readTree(files.body()).path("data").forEach(file -> names.add(file.path("filename").asText()));
        return names;
    }

    /** An upload stored whole whose answer is lost: the retry finds the file instead of storing a second. */
    @Test
    void lostAnswerToAnUpload_usesTheStoredFileInsteadOfUploadingAgain() throws Exception {
        LocalProviderConfig.Faults lostAnswer = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/files", 502, 1, null, true)),
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(lostAnswer), Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("lost-upload.jsonl", 6));

            assertAccountedFor(pipeline, jobId, 6);
            // The input file was uploaded once, and deleted with the others once they were copied.
            assertThat(providerFiles(pipeline)).isEmpty();
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
        }
    }

    @Test
    void providerErrorsOnCreateAndRetrieve_areRetriedWithoutASecondBatch() throws Exception {
        LocalProviderConfig.Faults flaky = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/batches", 429, 3, 0),
                new LocalProviderConfig.CallFailure("GET", "/v1/batches/", 500, 6, null)),
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(flaky), Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("flaky.jsonl", 6));

            assertAccountedFor(pipeline, jobId, 6);
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
        }
    }

    @Test
    void finalizeInSmallSlices_resumesFromItsCursorWithoutDuplicates() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of(),
                Map.of("BATCHLINE_FINALIZE_SLICE", "4")))) {
            // 24 = 6 slices of 4: the last slice ends exactly at the end of the output file.
            String jobId = runToEnd(pipeline, requests("slices.jsonl", 24));

            assertAccountedFor(pipeline, jobId, 24);
            List<JsonNode> events = events(pipeline);
            assertThat(events).filteredOn(e -> e.path("type").asText().equals("batchline.record.succeeded"))
                    .extracting(e -> e.path("id").asText()).doesNotHaveDuplicates().hasSize(24);
        }
    }

    /**
     * The provider refuses one part's upload for good (401): that part alone fails. Its requests
     * become part_failed error records naming the refusal, the other parts go on, and the job
     * completes with every request accounted and the failed part named in its manifest.
     */
    @Test
    void providerRefusingOnePartsUpload_failsThatPartAlone_andTheJobCompletes() throws Exception {
        LocalProviderConfig.Faults refusingOnce = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/files", 401, 1, null)),
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(refusingOnce),
                Map.of("maxRequestsPerBatch", 2, "maxConcurrentBatches", 1), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("refused.jsonl", 6));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 6);
            assertThat(errors).containsOnlyKeys("req-1", "req-2");
            errors.values().forEach(error -> {
                assertThat(error.path("error").path("code").asText()).isEqualTo("part_failed");
                assertThat(error.path("error").path("message").asText()).contains("ProviderException")
                        .contains("answered 401");
            });
            Manifest manifest = manifest(pipeline, jobId);
            assertThat(manifest.status()).isEqualTo("completed");
            assertThat(manifest.parts()).filteredOn(part -> part.failure() != null)
                    .singleElement().satisfies(part -> {
                        assertThat(part.partNumber()).isEqualTo(1);
                        assertThat(part.failure().error()).isEqualTo("part_failed");
                        assertThat(part.failure().cause()).contains("answered 401");
                    });
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(2);
            assertThat(events(pipeline)).extracting(e -> e.path("type").asText())
                    .contains("batchline.job.completed").doesNotContain("batchline.job.failed");
        }
    }

    /**
     * A provider whose downloads are always cut short: the copy resumes and retries, then keeps what
     * arrived. Every complete line becomes its record, the cut line is kept aside, and the rest are
     * provider_output_unavailable errors; the job completes within its bounds.
     */
    @Test
    void downloadsAlwaysCutShort_endWithWhatArrivedAndTheRestAsUnavailable() throws Exception {
        LocalProviderConfig.Faults cutting = new LocalProviderConfig.Faults(null, null, null, 700L, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(cutting), Map.of(), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("cut.jsonl", 10));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 10);
            assertThat(errors).isNotEmpty().hasSizeLessThan(10);
            assertThat(errors.values()).allSatisfy(error -> assertThat(error.path("error").path("code").asText())
                    .isEqualTo("provider_output_unavailable"));
            Manifest manifest = manifest(pipeline, jobId);
            assertThat(manifest.unmatchedLines()).isLessThanOrEqualTo(1);
            assertThat(pipeline.jobs().part(jobId, 1).outputIncomplete()).isTrue();
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
        }
    }

    /**
     * S3 refuses one result record for good while a part's output is split in slices of two: the
     * part fails alone. The record written beside it in the failing slice (the provider's output is
     * not in input order, so which one varies) is withdrawn: every request of the part from that
     * slice on is a part_failed error and nothing else, each id once; the other part completes.
     */
    @Test
    void s3RefusingOneRecordForGood_failsThatPartAlone_withdrawingWhatItsFailedSliceWrote() throws Exception {
        ExecutionInterceptor refuseOneRecord = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutObjectRequest put && put.key().startsWith("results/")
                        && put.key().endsWith("/req-4.json")) {
                    throw new IllegalStateException("injected: S3 refuses the record of req-4");
                }
            }
        };
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of("maxRequestsPerBatch", 5),
                Map.of("BATCHLINE_FINALIZE_SLICE", "2")), refuseOneRecord)) {
            String jobId = runToEnd(pipeline, requests("refused-record.jsonl", 10));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 10);
            assertThat(errors).containsKey("req-4").hasSizeGreaterThanOrEqualTo(2);
            assertThat(errors.keySet()).isSubsetOf("req-1", "req-2", "req-3", "req-4", "req-5");
            assertThat(errors.values()).allSatisfy(error -> assertThat(error.path("error").path("message").asText())
                    .contains("injected: S3 refuses the record of req-4"));
            Manifest manifest = manifest(pipeline, jobId);
            assertThat(manifest.parts()).extracting(part -> part.failure() == null ? null : part.failure().error())
                    .containsExactly("part_failed", null);
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(2);
        }
    }

    /**
     * PollBatch fails for good (the provider answers 404 for the batch) and DynamoDB refuses to
     * record the part's failure, so FailPart fails too and the workflow fails. FailJob still
     * cancels the batch and accounts every request as job_failed; status and manifest agree.
     */
    @Test
    void failPartFailingToo_failsTheJob_whichStillAccountsEveryRequestAsJobFailed() throws Exception {
        LocalProviderConfig.Faults lostBatch = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("GET", "/v1/batches/", 404, 1_000, null)),
                null, null, null, null, null);
        ExecutionInterceptor refusePartFailure = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UpdateItemRequest update
                        && update.expressionAttributeValues().containsKey(":code")
                        && "part_failed".equals(update.expressionAttributeValues().get(":code").s())) {
                    throw new IllegalStateException("injected: DynamoDB refuses to record the part's failure");
                }
            }
        };
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(lostBatch), Map.of(), Map.of()),
                refusePartFailure)) {
            String jobId = pipeline.submit(requests("job-failed.jsonl", 6), LocalPipeline.LOCAL_PROFILE)
                    .path("jobId").asText();
            LocalStepFunctions.Outcome execution = pipeline.await(jobId, TIMEOUT);

            assertThat(execution.succeeded()).isFalse();
            assertThat(execution.error()).isEqualTo("BatchlineJobFailed");
            assertThat(pipeline.jobs().find(jobId).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
            List<String> results = keys(pipeline, S3Layout.recordsPrefix(jobId, true));
            List<String> errors = keys(pipeline, S3Layout.recordsPrefix(jobId, false));
            assertThat(results).isEmpty();
            assertThat(errors).hasSize(6);
            Manifest manifest = manifest(pipeline, jobId);
            assertThat(manifest.status()).isEqualTo("failed");
            assertThat(manifest.accountedFor()).isTrue();
            assertThat(manifest.counts().missing()).isEqualTo(6);
            assertThat(manifest.parts()).singleElement().satisfies(part ->
                    assertThat(part.failure().error()).isEqualTo("job_failed"));
            for (String key : errors) {
                JsonNode record = mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                        .key(key)).asByteArray());
                assertThat(record.path("error").path("code").asText()).isEqualTo("job_failed");
            }
            assertThat(pipeline.jobs().part(jobId, 1).cancelSent()).isTrue();
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
            assertThat(events(pipeline)).extracting(e -> e.path("type").asText()).contains("batchline.job.failed");
        }
    }

    /**
     * The provider answers 404 for one part's batch at every poll: that part fails alone (its batch
     * cancelled, its requests part_failed), the other part completes, and so does the job.
     */
    @Test
    void pollFailingForGoodOnOnePart_failsThatPartAlone_andCancelsItsBatch() throws Exception {
        LocalProviderConfig.Faults lostOnce = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("GET", "/v1/batches/", 404, 1, null)),
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(lostOnce), Map.of("maxRequestsPerBatch", 3,
                "maxConcurrentBatches", 1), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("lost-batch.jsonl", 6));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 6);
            assertThat(errors).containsOnlyKeys("req-1", "req-2", "req-3");
            assertThat(errors.values()).allSatisfy(error -> assertThat(error.path("error").path("code").asText())
                    .isEqualTo("part_failed"));
            assertThat(pipeline.jobs().part(jobId, 1).cancelSent()).isTrue();
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(2);
            assertThat(manifest(pipeline, jobId).status()).isEqualTo("completed");
        }
    }

    /**
     * S3 refuses the manifest at every attempt of CompleteJob (which marked the job first), then SQS
     * the job's event twice: FailJob finds the job completed and writes its manifest and event, so
     * the status never stands without them and the job stays completed.
     */
    @Test
    void manifestRefusedToEveryCompleteJob_failJobWritesTheCompletedManifest() throws Exception {
        AtomicInteger manifestPuts = new AtomicInteger();
        AtomicInteger eventSends = new AtomicInteger();
        ExecutionInterceptor refuseTwice = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutObjectRequest put && put.key().endsWith("/manifest.json")
                        && manifestPuts.incrementAndGet() <= 4) {
                    throw new IllegalStateException("injected: S3 refuses the manifest");
                }
                if (context.request() instanceof SendMessageRequest send && send.messageBody().contains("job.completed")
                        && eventSends.incrementAndGet() <= 2) {
                    throw new IllegalStateException("injected: SQS refuses the job's event");
                }
            }
        };
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of(), Map.of()), refuseTwice)) {
            String jobId = runToEnd(pipeline, requests("refused-manifest.jsonl", 4));

            assertAccountedFor(pipeline, jobId, 4);
            assertThat(manifestPuts.get()).isGreaterThanOrEqualTo(5);
            assertThat(manifest(pipeline, jobId).status()).isEqualTo("completed");
            assertThat(events(pipeline)).extracting(e -> e.path("type").asText())
                    .contains("batchline.job.completed");
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(1);
        }
    }

    /**
     * Nothing can record a part's failure (DynamoDB refuses it for FailPart and FailJob alike), so
     * the requests cannot be accounted: FailJob gives up after its retries and still writes the
     * status and a manifest saying so, so the job never stays running. Counts equal the objects.
     */
    @Test
    void accountingImpossible_failJobStillEndsTheJobWithAManifestSayingSo() throws Exception {
        LocalProviderConfig.Faults lostBatch = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("GET", "/v1/batches/", 404, 1_000, null)),
                null, null, null, null, null);
        ExecutionInterceptor refuseEveryFailure = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UpdateItemRequest update
                        && update.expressionAttributeValues().containsKey(":code")) {
                    throw new IllegalStateException("injected: DynamoDB refuses to record any part's failure");
                }
            }
        };
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(lostBatch), Map.of(), Map.of()),
                refuseEveryFailure)) {
            String jobId = pipeline.submit(requests("unaccountable.jsonl", 3), LocalPipeline.LOCAL_PROFILE)
                    .path("jobId").asText();
            LocalStepFunctions.Outcome execution = pipeline.await(jobId, TIMEOUT);

            assertThat(execution.error()).isEqualTo("BatchlineJobFailed");
            assertThat(pipeline.jobs().find(jobId).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
            Manifest manifest = manifest(pipeline, jobId);
            assertThat(manifest.status()).isEqualTo("failed");
            assertThat(manifest.accountedFor()).isFalse();
            assertThat(manifest.counts().total()).isEqualTo(keys(pipeline, S3Layout.recordsPrefix(jobId, true)).size()
                    + keys(pipeline, S3Layout.recordsPrefix(jobId, false)).size());
        }
    }

    /**
     * Two parts at once against a provider that runs one batch at a time and never finishes it: one
     * part's batch sticks in finalizing (its cancel refused), the other's submissions are refused
     * for capacity. Both end by the part's bounds (its deadline, its resubmission budget) with every
     * request accounted.
     */
    @Test
    void aBatchStuckInFinalizingAndOneRefusedForCapacity_endByTheirBoundsWithEveryRequestAccounted()
            throws Exception {
        LocalProviderConfig.Faults stuckAndFull = new LocalProviderConfig.Faults(null, null, null, null, 600_000L, 1,
                null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(stuckAndFull), Map.of("maxRequestsPerBatch", 5,
                "maxConcurrentBatches", 2, "completionWindow", "6s", "maxPollSeconds", 1, "maxResubmissions", 2),
                Map.of()))) {
            String jobId = runToEnd(pipeline, requests("bounded.jsonl", 10));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 10);
            assertThat(errors).hasSize(10);
            Map<String, Long> codes = errors.values().stream().collect(Collectors.groupingBy(
                    e -> e.path("error").path("code").asText(), Collectors.counting()));
            assertThat(codes).containsOnly(Map.entry("batch_timed_out", 5L), Map.entry("batch_failed", 5L));
            // The stuck batch, and the refused part's first submission and its two resubmissions.
            assertThat(providerBatches(pipeline, jobId)).isEqualTo(4);
            assertThat(List.of(pipeline.jobs().part(jobId, 1).submissions(), pipeline.jobs().part(jobId, 2)
                    .submissions())).containsExactlyInAnyOrder(0, 2);
        }
    }

    @Test
    void batchesRefusedForCapacity_areResubmittedUntilTheyRun() throws Exception {
        LocalProviderConfig.Faults oneAtATime = new LocalProviderConfig.Faults(null, null, null, null, null, 1, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(oneAtATime),
                Map.of("maxRequestsPerBatch", 4, "maxConcurrentBatches", 3, "maxPollSeconds", 1), Map.of()))) {
            String jobId = runToEnd(pipeline, requests("capacity.jsonl", 12));

            assertAccountedFor(pipeline, jobId, 12);
            for (int part = 1; part <= 3; part++) {
                assertThat(pipeline.jobs().part(jobId, part).batchStatus()).isEqualTo("completed");
            }
            assertThat(providerBatches(pipeline, jobId)).isGreaterThan(3);
        }
    }

    @Test
    void recordEventsForFailuresOnly_sendsNoSuccessEvents() throws Exception {
        LocalProviderConfig.Faults failing = new LocalProviderConfig.Faults(List.of(
                new LocalProviderConfig.RequestFailure("req-2", 500, null, null)), null, null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(failing), Map.of(),
                Map.of("BATCHLINE_RECORD_EVENTS", "failures")))) {
            String jobId = runToEnd(pipeline, requests("quiet.jsonl", 5));

            assertAccountedFor(pipeline, jobId, 5);
            assertThat(events(pipeline)).extracting(e -> e.path("type").asText())
                    .containsExactlyInAnyOrder("batchline.record.failed", "batchline.job.completed");
        }
    }

    @Test
    void cleanBatch_endsWithOneResultPerRequestAManifestAndEvents() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of(), Map.of()))) {
            JsonNode outcome = pipeline.submit(requests("clean.jsonl", 25), LocalPipeline.LOCAL_PROFILE);
            String jobId = outcome.path("jobId").asText();
            assertThat(outcome.path("result").asText()).isEqualTo("SUBMITTED");

            LocalStepFunctions.Outcome execution = pipeline.await(jobId, TIMEOUT);

            assertThat(execution.succeeded()).as(execution.error() + ": " + execution.cause()).isTrue();
            JobRecord job = pipeline.jobs().find(jobId).orElseThrow();
            assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(keys(pipeline, S3Layout.recordsPrefix(jobId, true))).hasSize(25);
            assertThat(keys(pipeline, S3Layout.recordsPrefix(jobId, false))).isEmpty();
            JsonNode manifest = mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                    .key(S3Layout.manifest(jobId))).asByteArray());
            assertThat(manifest.path("counts").path("succeeded").asInt()).isEqualTo(25);
            assertThat(manifest.path("accountedFor").asBoolean()).isTrue();
            List<JsonNode> events = events(pipeline);
            assertThat(events).filteredOn(e -> e.path("type").asText().equals("batchline.record.succeeded"))
                    .hasSize(25);
            assertThat(events).filteredOn(e -> e.path("type").asText().equals("batchline.job.completed"))
                    .hasSize(1);
        }
    }
}
