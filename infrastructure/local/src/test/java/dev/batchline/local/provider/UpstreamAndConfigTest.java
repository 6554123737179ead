package dev.batchline.local.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.config.Json;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderFile;
import dev.batchline.testing.EmulatorExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@ExtendWith(EmulatorExtension.class)
class UpstreamAndConfigTest {

    private final S3Client s3;
    private final String bucket = "upstream-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path directory;

    UpstreamAndConfigTest(S3Client s3) {
        this.s3 = s3;
        s3.createBucket(r -> r.bucket(bucket));
    }

    @Test
    void batch_whenAnUpstreamIsConfigured_isAnsweredByIt() throws Exception {
        // The upstream: another local provider's synchronous endpoint, wrapped to be told apart.
        try (LocalProviderServer upstream = LocalProviderServer.start(0, LocalProviderConfig.DEFAULTS, null,
                Json.mapper(), Clock.systemUTC())) {
            LocalProviderConfig forwarding = new LocalProviderConfig(
                    new LocalProviderConfig.Timing(20L, 1_000, 20L, 20L, null), null,
                    new LocalProviderConfig.Upstream(upstream.baseUrl(), null, 10));
            try (ProviderFixture provider = new ProviderFixture(forwarding, s3)) {
                s3.putObject(r -> r.bucket(bucket).key("in.jsonl"), RequestBody.fromString(
                        "{\"custom_id\":\"e1\",\"method\":\"POST\",\"url\":\"/v1/embeddings\","
                                + "\"body\":{\"model\":\"m\",\"input\":[\"a\",\"b\"],\"dimensions\":4}}\n"));
                ProviderFile file = provider.client.uploadFile(bucket, "in.jsonl", "in.jsonl");
                ProviderBatch done = provider.awaitTerminal(provider.client.createBatch(file.id(), "/v1/embeddings",
                        Map.of()).id());
                provider.client.downloadFile(done.outputFileId(), bucket, "out.jsonl", Instant.now().plusSeconds(30));

                assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
                JsonNode line = Json.mapper().readTree(s3.getObjectAsBytes(r -> r.bucket(bucket).key("out.jsonl"))
                        .asUtf8String());
                JsonNode data = line.path("response").path("body").path("data");
                assertThat(data).hasSize(2);
                assertThat(data.get(0).path("embedding")).hasSize(4);
            }
        }
    }

    @Test
    void batch_whenTheUpstreamIsUnreachable_failsEachRequestNotTheBatch() throws Exception {
        LocalProviderConfig forwarding = new LocalProviderConfig(
                new LocalProviderConfig.Timing(20L, 1_000, 20L, 20L, null), null,
                new LocalProviderConfig.Upstream("http://127.0.0.1:1/v1", null, 2));
        try (ProviderFixture provider = new ProviderFixture(forwarding, s3)) {
            s3.putObject(r -> r.bucket(bucket).key("down.jsonl"), RequestBody.fromString(
                    "{\"custom_id\":\"c1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                            + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n"));
            ProviderFile file = provider.client.uploadFile(bucket, "down.jsonl", "down.jsonl");
            ProviderBatch done = provider.awaitTerminal(provider.client.createBatch(file.id(), "/v1/chat/completions",
                    Map.of()).id());

            assertThat(done.status()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(done.requestCounts().failed()).isEqualTo(1);
        }
    }

    @Test
    void read_whenGivenTheSampleConfigs_acceptsEveryFault() throws Exception {
        LocalProviderConfig faults = LocalProviderConfig.read(Path.of("../../events/provider/every-fault.json"));
        LocalProviderConfig upstream = LocalProviderConfig.read(Path.of("../../events/provider/upstream.json"));

        assertThat(faults.faults().failRequests()).hasSize(2);
        assertThat(faults.faults().failCalls()).extracting(LocalProviderConfig.CallFailure::status)
                .containsExactly(429, 500, 502);
        assertThat(faults.faults().failCalls().get(2).after()).isTrue();
        assertThat(faults.faults().failCalls().get(2).stallMillis()).isEqualTo(2000);
        assertThat(faults.faults().quirks().uppercaseStatus()).isTrue();
        assertThat(faults.faults().maxConcurrentBatches()).isEqualTo(2);
        assertThat(faults.faults().stuckFinalizingMillis()).isEqualTo(2000);
        assertThat(upstream.upstream().apiKeyEnv()).isEqualTo("UPSTREAM_API_KEY");
    }

    @Test
    void read_whenAFieldIsMisspelt_refusesTheFile() throws Exception {
        Path file = directory.resolve("typo.json");
        Files.writeString(file, "{\"faults\": {\"failRequest\": []}}");

        assertThatThrownBy(() -> LocalProviderConfig.read(file)).hasMessageContaining("failRequest");
    }
}
