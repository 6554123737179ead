package dev.batchline.local.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.provider.BatchPage;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderException;
import dev.batchline.provider.ProviderFile;
import dev.batchline.provider.TransientProviderException;
import dev.batchline.testing.EmulatorExtension;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Batchline's provider client against the local provider, through every stage and fault. */
@ExtendWith(EmulatorExtension.class)
class ProviderClientLifecycleTest {

    private final ObjectMapper mapper = Json.mapper();
    private final S3Client s3;
    private final String bucket = "provider-" + UUID.randomUUID().toString().substring(0, 8);

    ProviderClientLifecycleTest(S3Client s3) {
        this.s3 = s3;
        s3.createBucket(r -> r.bucket(bucket));
    }

    private static LocalProviderConfig config(LocalProviderConfig.Timing timing, LocalProviderConfig.Faults faults) {
        return new LocalProviderConfig(timing, faults, null);
    }

    private static LocalProviderConfig.Timing fast() {
        return new LocalProviderConfig.Timing(20L, 100_000, 20L, 20L, null);
    }

    private static LocalProviderConfig.Faults faults(List<LocalProviderConfig.RequestFailure> requests,
            List<LocalProviderConfig.CallFailure> calls) {
        return new LocalProviderConfig.Faults(requests, calls, null, null, null, null, null);
    }

    private String stage(String key, int requests) {
        String content = IntStream.rangeClosed(1, requests)
                .mapToObj(i -> "{\"custom_id\":\"req-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":{\"model\":\"local\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + i
                        + "\"}]}}\n")
                .collect(Collectors.joining());
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(content));
        return key;
    }

    private List<JsonNode> lines(String key) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String().split("\n")) {
            if (!line.isEmpty()) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    private ProviderBatch run(ProviderFixture provider, String key) throws InterruptedException {
        ProviderFile file = provider.client.uploadFile(bucket, key, "part-00001.jsonl");
        ProviderBatch created = provider.client.createBatch(file.id(), "/v1/chat/completions",
                Map.of("batchline_job", "job-1", "batchline_part", "1"));
        return provider.awaitTerminal(created.id());
    }

    private static Instant soon() {
        return Instant.now().plusSeconds(30);
    }

    /** A retried upload finds the whole file an earlier attempt stored, and deletes one stored cut short. */
    @Test
    void findUpload_returnsTheWholeFile_andDeletesAHalfOne() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            String key = stage("in/found.jsonl", 10);
            long bytes = s3.headObject(r -> r.bucket(bucket).key(key)).contentLength();
            ProviderFile whole = provider.client.uploadFile(bucket, key, "job-9-part-00001.jsonl");
            String half = stage("in/half.jsonl", 4);
            ProviderFile cut = provider.client.uploadFile(bucket, half, "job-9-part-00002.jsonl");

            assertThat(provider.client.findUpload("job-9-part-00001.jsonl", bytes)).map(ProviderFile::id)
                    .contains(whole.id());
            assertThat(provider.client.findUpload("job-9-part-00002.jsonl", bytes)).isEmpty();
            assertThat(provider.client.findUpload("job-9-part-00003.jsonl", bytes)).isEmpty();
            assertThatThrownBy(() -> provider.client.deleteFile(cut.id())).isInstanceOf(ProviderException.class);
        }
    }

    @Test
    void wholeLifecycle_whenAllGoesWell_returnsEveryRequestOnceInAnotherOrder() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/clean.jsonl", 100), "part-00001.jsonl");
            assertThat(file.purpose()).isEqualTo("batch");
            assertThat(file.bytes()).isEqualTo(s3.headObject(r -> r.bucket(bucket).key("in/clean.jsonl"))
                    .contentLength());

            ProviderBatch created = provider.client.createBatch(file.id(), "/v1/chat/completions",
                    Map.of("batchline_job", "job-1", "batchline_part", "1"));
            assertThat(created.status()).isEqualTo(BatchStatus.VALIDATING);
            assertThat(created.metadata()).containsEntry("batchline_job", "job-1");

            ProviderBatch done = provider.awaitTerminal(created.id());
            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(done.requestCounts()).isEqualTo(new ProviderBatch.RequestCounts(100, 100, 0));
            assertThat(done.errorFileId()).isNull();

            long bytes = provider.client.downloadFile(done.outputFileId(), bucket, "out/clean.jsonl", soon());
            List<JsonNode> output = lines("out/clean.jsonl");
            assertThat(bytes).isPositive();
            List<String> ids = output.stream().map(n -> n.path("custom_id").asText()).toList();
            assertThat(new HashSet<>(ids)).hasSize(100);
            assertThat(ids).isNotEqualTo(IntStream.rangeClosed(1, 100).mapToObj(i -> "req-" + i).toList());
            JsonNode first = output.get(0);
            assertThat(first.path("response").path("status_code").asInt()).isEqualTo(200);
            assertThat(first.path("response").path("body").path("usage").path("total_tokens").asInt()).isPositive();
        }
    }

    @Test
    void wholeLifecycle_whenTheSameRequestsRunTwice_givesTheSameAnswers() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            stage("in/twice.jsonl", 5);
            ProviderBatch first = run(provider, "in/twice.jsonl");
            ProviderBatch second = run(provider, "in/twice.jsonl");
            provider.client.downloadFile(first.outputFileId(), bucket, "out/first.jsonl", soon());
            provider.client.downloadFile(second.outputFileId(), bucket, "out/second.jsonl", soon());

            assertThat(answers(lines("out/first.jsonl"))).isEqualTo(answers(lines("out/second.jsonl")));
        }
    }

    private static Map<String, String> answers(List<JsonNode> lines) {
        return lines.stream().collect(Collectors.toMap(n -> n.path("custom_id").asText(),
                n -> n.path("response").path("body").path("choices").get(0).path("message").path("content").asText()));
    }

    @Test
    void wholeLifecycle_whenSomeRequestsFail_putsThemInTheErrorFile() throws Exception {
        LocalProviderConfig.Faults failures = faults(List.of(new LocalProviderConfig.RequestFailure("req-1[0-9]",
                400, "context_length_exceeded", "Too long.")), null);
        try (ProviderFixture provider = new ProviderFixture(config(fast(), failures), s3)) {
            ProviderBatch done = run(provider, stage("in/partial.jsonl", 30));

            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(done.requestCounts()).isEqualTo(new ProviderBatch.RequestCounts(30, 20, 10));
            provider.client.downloadFile(done.errorFileId(), bucket, "out/errors.jsonl", soon());
            List<JsonNode> errors = lines("out/errors.jsonl");
            assertThat(errors).extracting(n -> n.path("custom_id").asText())
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(10, 20).mapToObj(i -> "req-" + i).toList());
            assertThat(errors.get(0).path("response").path("status_code").asInt()).isEqualTo(400);
            assertThat(errors.get(0).path("response").path("body").path("error").path("code").asText())
                    .isEqualTo("context_length_exceeded");
        }
    }

    @Test
    void cancel_whileInProgress_keepsWhatWasDoneAndListsTheRestAsCancelled() throws Exception {
        LocalProviderConfig.Timing slow = new LocalProviderConfig.Timing(20L, 500, 20L, 20L, null);
        try (ProviderFixture provider = new ProviderFixture(config(slow, null), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/cancel.jsonl", 2_000), "p.jsonl");
            ProviderBatch created = provider.client.createBatch(file.id(), "/v1/chat/completions", Map.of());
            provider.awaitStatus(created.id(), BatchStatus.IN_PROGRESS);

            ProviderBatch cancelling = provider.client.cancelBatch(created.id());
            ProviderBatch done = provider.awaitTerminal(created.id());

            assertThat(cancelling.status()).isEqualTo(BatchStatus.CANCELLING);
            assertThat(done.status()).isEqualTo(BatchStatus.CANCELLED);
            long answered = done.requestCounts().completed();
            assertThat(answered).isBetween(1L, 1_999L);
            provider.client.downloadFile(done.outputFileId(), bucket, "out/c-out.jsonl", soon());
            provider.client.downloadFile(done.errorFileId(), bucket, "out/c-err.jsonl", soon());
            List<JsonNode> errors = lines("out/c-err.jsonl");
            assertThat(lines("out/c-out.jsonl")).hasSize((int) answered);
            assertThat(errors).hasSize(2_000 - (int) answered)
                    .allSatisfy(n -> assertThat(n.path("error").path("code").asText()).isEqualTo("batch_cancelled"));
        }
    }

    @Test
    void expiry_whenTheWindowEndsFirst_keepsWhatWasDoneAndListsTheRestAsExpired() throws Exception {
        LocalProviderConfig.Timing slow = new LocalProviderConfig.Timing(20L, 500, 20L, 20L, 300L);
        try (ProviderFixture provider = new ProviderFixture(config(slow, null), s3)) {
            ProviderBatch done = run(provider, stage("in/expire.jsonl", 2_000));

            assertThat(done.status()).isEqualTo(BatchStatus.EXPIRED);
            provider.client.downloadFile(done.errorFileId(), bucket, "out/e-err.jsonl", soon());
            List<JsonNode> expired = lines("out/e-err.jsonl");
            assertThat(expired).isNotEmpty()
                    .allSatisfy(n -> assertThat(n.path("error").path("code").asText()).isEqualTo("batch_expired"));
            assertThat(done.requestCounts().completed() + expired.size()).isEqualTo(2_000);
        }
    }

    @Test
    void validation_whenTheInputIsBad_failsTheBatchWithLineNumberedErrors() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            s3.putObject(r -> r.bucket(bucket).key("in/bad.jsonl"), RequestBody.fromString(
                    "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m\","
                            + "\"input\":\"x\"}}\n"));
            ProviderBatch done = run(provider, "in/bad.jsonl");

            assertThat(done.status()).isEqualTo(BatchStatus.FAILED);
            assertThat(done.errors()).extracting(ProviderBatch.BatchError::line, ProviderBatch.BatchError::param)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "url"));
            assertThat(done.outputFileId()).isNull();
        }
    }

    @Test
    void createBatch_whenRateLimitedTwice_waitsAsToldAndSucceeds() throws Exception {
        LocalProviderConfig.Faults limited = faults(null, List.of(new LocalProviderConfig.CallFailure("POST",
                "/v1/batches", 429, 2, 7)));
        try (ProviderFixture provider = new ProviderFixture(config(fast(), limited), s3)) {
            ProviderBatch done = run(provider, stage("in/limited.jsonl", 3));

            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(provider.sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
        }
    }

    /** The batch was created; only the answer was lost. A second POST would make a twin. */
    @Test
    void createBatch_whenTheAnswerIsLostAfterTheBatchWasCreated_failsWithoutPostingAgain() throws Exception {
        LocalProviderConfig.Faults lostAnswer = faults(null, List.of(new LocalProviderConfig.CallFailure("POST",
                "/v1/batches", 502, 1, null, true)));
        try (ProviderFixture provider = new ProviderFixture(config(fast(), lostAnswer), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/lost.jsonl", 3), "p.jsonl");

            assertThatThrownBy(() -> provider.client.createBatch(file.id(), "/v1/chat/completions",
                    Map.of("batchline_job", "lost"))).isInstanceOf(TransientProviderException.class)
                    .hasMessageContaining("502");

            assertThat(provider.sleeps).isEmpty();
            assertThat(provider.client.listBatches(null, 100).batches())
                    .filteredOn(batch -> "lost".equals(batch.metadata().get("batchline_job"))).hasSize(1);
        }
    }

    @Test
    void calls_whenTheServerFailsAFewTimes_retryWithBackoffAndSucceed() throws Exception {
        LocalProviderConfig.Faults flaky = faults(null, List.of(
                new LocalProviderConfig.CallFailure("GET", "/v1/batches", 500, 3, null),
                new LocalProviderConfig.CallFailure("POST", "/v1/files", 503, 1, null)));
        try (ProviderFixture provider = new ProviderFixture(config(fast(), flaky), s3)) {
            ProviderBatch done = run(provider, stage("in/flaky.jsonl", 3));

            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            // Backoff ceilings 10, 20, 40 ms for the three failed retrievals, 10 ms for the upload.
            assertThat(provider.sleeps).hasSize(4).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(
                    Duration.ofMillis(40)));
        }
    }

    @Test
    void calls_whenTheServerKeepsFailing_giveUpWithATransientError() throws Exception {
        LocalProviderConfig.Faults down = faults(null, List.of(new LocalProviderConfig.CallFailure("GET",
                "/v1/batches", 500, 100, null)));
        try (ProviderFixture provider = new ProviderFixture(config(fast(), down), s3)) {
            assertThatThrownBy(() -> provider.client.retrieveBatch("batch_000001"))
                    .isInstanceOf(TransientProviderException.class)
                    .hasMessageContaining("answered 500");
            assertThat(provider.sleeps).hasSize(3);
        }
    }

    @Test
    void calls_whenRefusedPermanently_failAtOnceWithTheProvidersMessage() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            assertThatThrownBy(() -> provider.client.createBatch("file-missing", "/v1/chat/completions", Map.of()))
                    .isInstanceOf(ProviderException.class)
                    .isNotInstanceOf(TransientProviderException.class)
                    .hasMessageContaining("answered 400")
                    .hasMessageContaining("Input file file-missing was not found")
                    .satisfies(e -> assertThat(((ProviderException) e).statusCode()).isEqualTo(400));
            assertThatThrownBy(() -> provider.client.retrieveBatch("batch_nope"))
                    .hasMessageContaining("answered 404");
            assertThat(provider.sleeps).isEmpty();
        }
    }

    @Test
    void quirks_whenTheProviderShoutsAndSendsEmptyIds_areNormalised() throws Exception {
        LocalProviderConfig.Faults quirky = new LocalProviderConfig.Faults(null, null, null, null, null, null,
                new LocalProviderConfig.Quirks(true, true, true));
        try (ProviderFixture provider = new ProviderFixture(config(fast(), quirky), s3)) {
            ProviderBatch done = run(provider, stage("in/quirky.jsonl", 3));

            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(done.rawStatus()).isEqualTo("COMPLETED");
            assertThat(done.errorFileId()).isNull();
            assertThat(done.raw().path("x_provider").asText()).isEqualTo("batchline-local");
        }
    }

    @Test
    void statuses_whenAnAliasOrAnUnknownValueComes_areMappedOrSurfaced() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3, Map.of("Queued",
                "validating"))) {
            ObjectMapper json = Json.mapper();
            assertThat(provider.client.parseBatchForTest(json.readTree("{\"id\":\"b\",\"status\":\"QUEUED\"}"))
                    .status()).isEqualTo(BatchStatus.VALIDATING);
            ProviderBatch odd = provider.client.parseBatchForTest(json.readTree("{\"id\":\"b\",\"status\":\"paused\"}"));
            assertThat(odd.status()).isEqualTo(BatchStatus.UNKNOWN);
            assertThat(odd.rawStatus()).isEqualTo("paused");
        }
    }

    @Test
    void createBatch_whenTooManyBatchesRun_failsTheNewOneWithTokenLimitExceeded() throws Exception {
        LocalProviderConfig.Timing slow = new LocalProviderConfig.Timing(20L, 50, 20L, 20L, null);
        LocalProviderConfig.Faults oneAtATime = new LocalProviderConfig.Faults(null, null, null, null, null, 1, null);
        try (ProviderFixture provider = new ProviderFixture(config(slow, oneAtATime), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/limit.jsonl", 1_000), "p.jsonl");
            ProviderBatch running = provider.client.createBatch(file.id(), "/v1/chat/completions", Map.of());
            provider.awaitStatus(running.id(), BatchStatus.IN_PROGRESS);

            ProviderBatch second = provider.awaitTerminal(provider.client.createBatch(file.id(),
                    "/v1/chat/completions", Map.of()).id());

            assertThat(second.status()).isEqualTo(BatchStatus.FAILED);
            assertThat(second.errors()).extracting(ProviderBatch.BatchError::code)
                    .containsExactly("token_limit_exceeded");
            provider.client.cancelBatch(running.id());
        }
    }

    @Test
    void finalizing_whenStuckForAWhile_isSeenAndThenCompletes() throws Exception {
        LocalProviderConfig.Faults stuck = new LocalProviderConfig.Faults(null, null, null, null, 300L, null, null);
        try (ProviderFixture provider = new ProviderFixture(config(fast(), stuck), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/stuck.jsonl", 3), "p.jsonl");
            String id = provider.client.createBatch(file.id(), "/v1/chat/completions", Map.of()).id();

            assertThat(provider.awaitStatus(id, BatchStatus.FINALIZING).status()).isEqualTo(BatchStatus.FINALIZING);
            assertThat(provider.awaitTerminal(id).status()).isEqualTo(BatchStatus.COMPLETED);
        }
    }

    @Test
    void downloadFile_whenTheBodyIsCutShort_retriesThenFailsLeavingNoObject() throws Exception {
        LocalProviderConfig.Faults truncating = new LocalProviderConfig.Faults(null, null, null, 100L, null, null,
                null);
        try (ProviderFixture provider = new ProviderFixture(config(fast(), truncating), s3)) {
            ProviderBatch done = run(provider, stage("in/truncated.jsonl", 20));

            assertThatThrownBy(() -> provider.client.downloadFile(done.outputFileId(), bucket, "out/cut.jsonl",
                    soon())).isInstanceOf(TransientProviderException.class);
            assertThat(provider.sleeps).hasSize(3);
            assertThatThrownBy(() -> lines("out/cut.jsonl")).isInstanceOf(NoSuchKeyException.class);
        }
    }

    /** Each response is cut after 7 MB; the copy keeps its 5 MB parts and asks for the rest by Range. */
    @Test
    void downloadFile_whenEveryResponseIsCutShort_resumesFromTheLastPartCopied() throws Exception {
        LocalProviderConfig.Faults cutAt7Megabytes = new LocalProviderConfig.Faults(null, null, null,
                7L * 1024 * 1024, null, null, null);
        try (ProviderFixture provider = new ProviderFixture(config(fast(), cutAt7Megabytes), s3)) {
            String key = stage("in/thirteen-megabytes.jsonl", 88_000);
            byte[] content = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
            assertThat(content.length).isBetween(12 * 1024 * 1024, 14 * 1024 * 1024);
            ProviderFile file = provider.client.uploadFile(bucket, key, "big.jsonl");

            long copied = provider.client.downloadFile(file.id(), bucket, "out/resumed.jsonl", soon());

            assertThat(copied).isEqualTo(content.length);
            assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("out/resumed.jsonl")).asByteArray())
                    .isEqualTo(content);
            assertThat(provider.sleeps).as("one retry after each cut response").hasSize(2);
        }
    }

    @Test
    void downloadFile_whenTheBodyIsTooSlowForTheDeadline_givesUpAtTheDeadline() throws Exception {
        LocalProviderConfig.Faults slowBody = new LocalProviderConfig.Faults(null, null, 200L, null, null, null,
                null);
        try (ProviderFixture provider = new ProviderFixture(config(fast(), slowBody), s3)) {
            ProviderBatch done = run(provider, stage("in/slow.jsonl", 20));

            assertThatThrownBy(() -> provider.client.downloadFile(done.outputFileId(), bucket, "out/slow.jsonl",
                    Instant.now().plusMillis(500)))
                    .isInstanceOf(TransientProviderException.class)
                    .hasMessageContaining("deadline");
            assertThatThrownBy(() -> lines("out/slow.jsonl")).isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void listBatches_pagesNewestFirstWithTheAfterCursor() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/list.jsonl", 1), "p.jsonl");
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(provider.client.createBatch(file.id(), "/v1/chat/completions",
                        Map.of("n", Integer.toString(i))).id());
            }

            List<String> seen = new ArrayList<>();
            String after = null;
            BatchPage page;
            do {
                page = provider.client.listBatches(after, 2);
                page.batches().forEach(b -> seen.add(b.id()));
                after = page.lastId();
            } while (page.hasMore());

            java.util.Collections.reverse(created);
            assertThat(seen).containsExactlyElementsOf(created);
        }
    }

    @Test
    void deleteFile_removesItAtTheProvider() throws Exception {
        try (ProviderFixture provider = new ProviderFixture(config(fast(), null), s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, stage("in/delete.jsonl", 1), "p.jsonl");

            provider.client.deleteFile(file.id());

            assertThatThrownBy(() -> provider.client.deleteFile(file.id())).hasMessageContaining("answered 404");
        }
    }

    @Test
    void errors_neverCarryTheApiKey() throws Exception {
        LocalProviderConfig.Faults down = faults(null, List.of(new LocalProviderConfig.CallFailure("*", "/", 500,
                100, null)));
        Set<String> messages = new HashSet<>();
        try (ProviderFixture provider = new ProviderFixture(config(fast(), down), s3)) {
            for (Runnable call : List.<Runnable>of(
                    () -> provider.client.retrieveBatch("b"),
                    () -> provider.client.createBatch("f", "/v1/chat/completions", Map.of()),
                    () -> provider.client.uploadFile(bucket, stage("in/key.jsonl", 1), "p.jsonl"))) {
                try {
                    call.run();
                } catch (ProviderException e) {
                    messages.add(e.toString());
                    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                        messages.add(cause.toString());
                    }
                }
            }
        }
        assertThat(messages).hasSizeGreaterThanOrEqualTo(3)
                .noneSatisfy(m -> assertThat(m).contains(ProviderFixture.API_KEY));
    }
}
