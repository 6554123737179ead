package dev.batchline.local.runtime;


import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.storage.S3Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Files through the whole pipeline: upload trigger, the real ASL on the local engine, the local provider. */
class PipelineEndToEndTest extends EndToEndSupport {

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
