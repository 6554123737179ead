package dev.batchline.local.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.batchline.config.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The local provider driven by the official OpenAI Java SDK, as the providers' guides drive theirs:
 * upload, create, poll, download the output and error files.
 */
class OpenAiSdkLifecycleTest {

    private static final Path SAMPLE = Path.of("../../events/requests/chat.jsonl");
    private static final String KEY = "sk-sdk-test";

    @Test
    void officialSdk_runsABatchFromUploadToResults() throws Exception {
        LocalProviderConfig config = new LocalProviderConfig(new LocalProviderConfig.Timing(20L, 1_000, 20L, 20L,
                null), new LocalProviderConfig.Faults(List.of(new LocalProviderConfig.RequestFailure("ticket-00[12]",
                400, "invalid_prompt", "Refused.")), null, null, null, null, null, null), null);
        try (LocalProviderServer server = LocalProviderServer.start(0, config, KEY, Json.mapper(), Clock.systemUTC())) {
            OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(KEY).baseUrl(server.baseUrl()).maxRetries(0)
                    .build();
            try {
                FileObject file = client.files().create(FileCreateParams.builder().file(SAMPLE)
                        .purpose(FilePurpose.BATCH).build());
                Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
                        .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                        .completionWindow(BatchCreateParams.CompletionWindow._24H).build());

                Batch done = created;
                for (int poll = 0; poll < 3_000 && !Set.of(Batch.Status.COMPLETED, Batch.Status.FAILED,
                        Batch.Status.EXPIRED, Batch.Status.CANCELLED).contains(done.status()); poll++) {
                    Thread.sleep(10);
                    done = client.batches().retrieve(created.id());
                }

                assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
                assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(6);
                assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(2);
                List<JsonNode> output = lines(client, done.outputFileId().orElseThrow());
                List<JsonNode> errors = lines(client, done.errorFileId().orElseThrow());
                assertThat(output).hasSize(6).allSatisfy(line ->
                        assertThat(line.path("response").path("status_code").asInt()).isEqualTo(200));
                assertThat(errors).extracting(line -> line.path("custom_id").asText())
                        .containsExactlyInAnyOrder("ticket-001", "ticket-002");
            } finally {
                client.close();
            }
        }
    }

    private static List<JsonNode> lines(OpenAIClient client, String fileId) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (HttpResponse content = client.files().content(fileId)) {
            for (String line : new String(content.body().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(Json.mapper().readTree(line));
                }
            }
        }
        return lines;
    }
}
