package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.local.provider.LocalProviderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;
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
        return new LocalPipeline.Settings(provider, null, null, RUNNER, DEFINITION, profile, env);
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
            assertThat(keys(pipeline, "results/" + jobId + "/records/")).hasSize(25);
            assertThat(keys(pipeline, "errors/" + jobId + "/records/")).isEmpty();
            JsonNode manifest = mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                    .key("results/" + jobId + "/manifest.json")).asByteArray());
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
