package dev.batchline.local.provider;

import dev.batchline.config.Json;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.OpenAiBatchClient;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.provider.RetryPolicy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/** A local provider and a client of it, for one test. */
final class ProviderFixture implements AutoCloseable {

    static final String API_KEY = "sk-local-test-4f1c9e";

    final LocalProviderServer server;
    final OpenAiBatchClient client;
    final List<Duration> sleeps = new ArrayList<>();

    private final S3Client s3;
    private final Map<String, String> statusAliases;

    ProviderFixture(LocalProviderConfig config, S3Client s3, Map<String, String> statusAliases) throws IOException {
        this.s3 = s3;
        this.statusAliases = statusAliases;
        server = LocalProviderServer.start(0, config, API_KEY, Json.mapper(), Clock.systemUTC());
        client = withBaseUrl(server.baseUrl());
    }

    /** A client like the fixture's, of another server. */
    OpenAiBatchClient withBaseUrl(String baseUrl) {
        ProviderProfile generic = ProviderProfiles.GENERIC;
        ProviderProfile profile = new ProviderProfile("local", baseUrl, "env:TEST", generic.endpoints(),
                generic.maxRequestsPerBatch(), generic.maxBytesPerBatch(), generic.maxLineBytes(),
                generic.maxFileRequests(), generic.maxFileBytes(), true, false, "24h", 5, 1, 1.5, 5, "batch",
                statusAliases);
        return new OpenAiBatchClient(profile, () -> API_KEY, OpenAiBatchClient.defaultHttpClient(), s3,
                Json.mapper(), new OpenAiBatchClient.Settings(Duration.ofMinutes(2),
                        5 * 1024 * 1024, new RetryPolicy(4, Duration.ofMillis(10), Duration.ofSeconds(30))),
                sleeps::add, Clock.systemUTC());
    }

    ProviderFixture(LocalProviderConfig config, S3Client s3) throws IOException {
        this(config, s3, Map.of());
    }

    /** Polls until the batch ends, as the state machine will; bounded by the count of polls, not by time. */
    ProviderBatch awaitTerminal(String batchId) throws InterruptedException {
        for (int poll = 0; poll < 3_000; poll++) {
            ProviderBatch batch = client.retrieveBatch(batchId);
            if (batch.status().isTerminal()) {
                return batch;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("batch " + batchId + " did not end after 3000 polls");
    }

    /** Polls until the batch reaches {@code status}. */
    ProviderBatch awaitStatus(String batchId, BatchStatus status) throws InterruptedException {
        for (int poll = 0; poll < 3_000; poll++) {
            ProviderBatch batch = client.retrieveBatch(batchId);
            if (batch.status() == status) {
                return batch;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("batch " + batchId + " never reached " + status);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
