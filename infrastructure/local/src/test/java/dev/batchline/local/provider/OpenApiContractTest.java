package dev.batchline.local.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.batchline.config.Json;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderFile;
import dev.batchline.testing.EmulatorExtension;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The requests Batchline's client sends and the answers the local provider gives, checked against
 * the OpenAI OpenAPI spec's schemas.
 */
@ExtendWith(EmulatorExtension.class)
class OpenApiContractTest {

    private final OpenApiContract contract = new OpenApiContract();
    private final ObjectMapper mapper = Json.mapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final S3Client s3;
    private final String bucket = "contract-" + UUID.randomUUID().toString().substring(0, 8);

    OpenApiContractTest(S3Client s3) {
        this.s3 = s3;
        s3.createBucket(r -> r.bucket(bucket));
        s3.putObject(r -> r.bucket(bucket).key("chat.jsonl"), RequestBody.fromFile(Path.of(
                "../../events/requests/chat.jsonl")));
    }

    private JsonNode get(ProviderFixture provider, String path) throws Exception {
        return send(provider, HttpRequest.newBuilder(URI.create(provider.server.baseUrl() + path)).GET());
    }

    private JsonNode send(ProviderFixture provider, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + ProviderFixture.API_KEY)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    @Test
    void localProvider_answersInTheShapesOfTheSpec() throws Exception {
        LocalProviderConfig config = new LocalProviderConfig(new LocalProviderConfig.Timing(20L, 2_000, 20L, 20L,
                null), new LocalProviderConfig.Faults(List.of(new LocalProviderConfig.RequestFailure("ticket-003",
                500, null, null)), null, null, null, null, null, null), null);
        try (ProviderFixture provider = new ProviderFixture(config, s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, "chat.jsonl", "chat.jsonl");
            assertThat(contract.violations("OpenAIFile", file.raw())).isEmpty();

            ProviderBatch created = provider.client.createBatch(file.id(), "/v1/chat/completions",
                    Map.of("batchline_job", "j"));
            assertThat(contract.violations("Batch", created.raw())).isEmpty();
            ProviderBatch done = provider.awaitTerminal(created.id());
            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(contract.violations("Batch", done.raw())).isEmpty();

            assertThat(contract.violations("ListBatchesResponse", get(provider, "/batches?limit=5"))).isEmpty();
            assertThat(contract.violations("ListFilesResponse", get(provider, "/files"))).isEmpty();
            assertThat(contract.violations("OpenAIFile", get(provider, "/files/" + done.outputFileId()))).isEmpty();

            for (String fileId : List.of(done.outputFileId(), done.errorFileId())) {
                provider.client.downloadFile(fileId, bucket, "out/" + fileId, Instant.now().plusSeconds(30));
                for (String line : s3.getObjectAsBytes(r -> r.bucket(bucket).key("out/" + fileId)).asUtf8String()
                        .split("\n")) {
                    assertThat(contract.violations("BatchRequestOutput", mapper.readTree(line))).isEmpty();
                }
            }

            assertThat(contract.violations("DeleteFileResponse", send(provider, HttpRequest.newBuilder(URI.create(
                    provider.server.baseUrl() + "/files/" + file.id())).DELETE()))).isEmpty();
        }
    }

    @Test
    void localProvider_describesFailedAndCancelledBatchesInTheShapesOfTheSpec() throws Exception {
        LocalProviderConfig slow = new LocalProviderConfig(new LocalProviderConfig.Timing(20L, 1, 20L, 20L, null),
                null, null);
        try (ProviderFixture provider = new ProviderFixture(slow, s3)) {
            ProviderFile file = provider.client.uploadFile(bucket, "chat.jsonl", "chat.jsonl");
            ProviderBatch failed = provider.awaitTerminal(provider.client.createBatch(file.id(), "/v1/embeddings",
                    Map.of()).id());
            String running = provider.client.createBatch(file.id(), "/v1/chat/completions", Map.of()).id();
            provider.awaitStatus(running, BatchStatus.IN_PROGRESS);
            assertThat(contract.violations("Batch", provider.client.retrieveBatch(running).raw())).isEmpty();
            provider.client.cancelBatch(running);
            ProviderBatch cancelled = provider.awaitTerminal(running);

            assertThat(failed.status()).isEqualTo(BatchStatus.FAILED);
            assertThat(contract.violations("Batch", failed.raw())).isEmpty();
            assertThat(cancelled.status()).isEqualTo(BatchStatus.CANCELLED);
            assertThat(contract.violations("Batch", cancelled.raw())).isEmpty();
        }
    }

    @Test
    void sampleRequestFiles_areBatchRequestInputs() throws Exception {
        for (String sample : List.of("chat.jsonl", "embeddings.jsonl")) {
            for (String line : Files.readAllLines(Path.of("../../events/requests", sample))) {
                assertThat(contract.violations("BatchRequestInput", mapper.readTree(line))).as(sample).isEmpty();
            }
        }
    }

    @Test
    void contract_whenAnAnswerIsWrong_saysSo() throws Exception {
        ObjectNode batch = (ObjectNode) mapper.readTree("{\"id\":\"b\",\"object\":\"batch\",\"endpoint\":\"/v1/x\","
                + "\"input_file_id\":\"f\",\"completion_window\":\"24h\",\"status\":\"IN_PROGRESS\",\"created_at\":1}");

        assertThat(contract.violations("Batch", batch)).isNotEmpty();
        batch.put("status", "in_progress");
        assertThat(contract.violations("Batch", batch)).isEmpty();
        batch.remove("created_at");
        assertThat(contract.violations("Batch", batch)).isNotEmpty();
    }

    @Test
    void client_sendsRequestsInTheShapesOfTheSpec() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        List<String> contentTypes = new ArrayList<>();
        HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        recorder.createContext("/", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            byte[] answer = (exchange.getRequestURI().getPath().endsWith("/files")
                    ? "{\"id\":\"file-1\",\"object\":\"file\",\"bytes\":1,\"created_at\":1,\"filename\":\"p\","
                            + "\"purpose\":\"batch\",\"status\":\"processed\"}"
                    : "{\"id\":\"batch_1\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\","
                            + "\"input_file_id\":\"file-1\",\"completion_window\":\"24h\",\"status\":\"validating\","
                            + "\"created_at\":1}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        recorder.start();
        try (ProviderFixture provider = new ProviderFixture(LocalProviderConfig.DEFAULTS, s3)) {
            var client = provider.withBaseUrl("http://127.0.0.1:" + recorder.getAddress().getPort() + "/v1");
            client.uploadFile(bucket, "chat.jsonl", "part-00001.jsonl");
            client.createBatch("file-1", "/v1/chat/completions", Map.of("batchline_job", "job-1",
                    "batchline_part", "1"));
        } finally {
            recorder.stop(0);
        }

        String boundary = contentTypes.get(0).replaceAll(".*boundary=", "");
        MultipartReader multipart = new MultipartReader(new java.io.ByteArrayInputStream(bodies.get(0)), boundary);
        ObjectNode form = mapper.createObjectNode();
        Map<String, String> part;
        while ((part = multipart.nextPart()) != null) {
            java.util.regex.Matcher name = java.util.regex.Pattern.compile("(?:^|;)\\s*name=\"([^\"]+)\"")
                    .matcher(part.get("content-disposition"));
            assertThat(name.find()).isTrue();
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            multipart.copyBody(value);
            form.put(name.group(1), value.toString(StandardCharsets.UTF_8));
        }
        assertThat(form.path("file").asText()).isEqualTo(Files.readString(Path.of("../../events/requests/chat.jsonl")));
        assertThat(contract.violations("CreateFileRequest", form)).isEmpty();
        JsonNode create = mapper.readTree(bodies.get(1));
        assertThat(contract.violations("CreateBatchRequest", create)).isEmpty();
        assertThat(create.path("metadata").path("batchline_job").asText()).isEqualTo("job-1");
    }
}
