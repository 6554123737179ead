package dev.batchline.local.runtime;


import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.complete.Manifest;
import dev.batchline.job.JobStatus;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.storage.S3Layout;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * One fault at a time, through the real ASL on the local engine: provider refusals, lost and late
 * answers, cut downloads, stuck batches, and S3, SQS and DynamoDB errors through the SDK interceptor
 * hook. Each checks the promise: every request one record, the counts equal to what was written,
 * and the provider batches each part created.
 */
class FaultEndToEndTest extends EndToEndSupport {

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

    /**
     * The provider refuses one part's upload for good (401): that part alone fails. Its requests
     * become part_failed error records naming the refusal, the other parts go on, and the job
     * completes with every request accounted and the failed part named in its manifest.
     */
    @Test
    void providerRefusingOnePartsUpload_failsThatPartAlone_andTheJobCompletes() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(firstUploadRefused()),
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
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(everyPollNotFound()), Map.of(), Map.of()),
                refusingToRecordFailures("part_failed"::equals))) {
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
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(everyPollNotFound()), Map.of(), Map.of()),
                refusingToRecordFailures(code -> true))) {
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

    /** A provider that answers 404 for every batch it is asked about: PollBatch fails for good. */
    private static LocalProviderConfig.Faults everyPollNotFound() {
        return new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("GET", "/v1/batches/", 404, 1_000, null)),
                null, null, null, null, null);
    }

    /** DynamoDB, through the functions' interceptor, refusing to record a part's failure of the codes chosen. */
    private static ExecutionInterceptor refusingToRecordFailures(Predicate<String> code) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UpdateItemRequest update
                        && update.expressionAttributeValues().containsKey(":code")
                        && code.test(update.expressionAttributeValues().get(":code").s())) {
                    throw new IllegalStateException("injected: DynamoDB refuses to record the part's failure");
                }
            }
        };
    }
}
