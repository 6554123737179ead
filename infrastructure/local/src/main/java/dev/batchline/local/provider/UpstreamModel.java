package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Forwards each request to a synchronous OpenAI-compatible endpoint (a local model server, a
 * gateway), so a batch can run against a real model. Failures become per-request errors.
 */
final class UpstreamModel implements BatchModel {

    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final DeterministicModel errors;

    UpstreamModel(LocalProviderConfig.Upstream upstream, ObjectMapper mapper) {
        this.baseUrl = upstream.baseUrl().replaceAll("/+$", "").replaceAll("/v1$", "");
        this.apiKey = upstream.apiKeyEnv() == null ? null : System.getenv(upstream.apiKeyEnv());
        this.timeout = Duration.ofSeconds(upstream.timeoutSeconds());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.mapper = mapper;
        this.errors = new DeterministicModel(mapper);
    }

    @Override
    public ModelAnswer answer(String endpoint, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + endpoint)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null && !apiKey.isEmpty()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode answer;
            try {
                answer = mapper.readTree(response.body());
            } catch (IOException notJson) {
                answer = errors.error("the upstream answered " + response.statusCode() + " without JSON",
                        "upstream_error", "invalid_upstream_response");
            }
            return new ModelAnswer(response.statusCode(), answer);
        } catch (IOException e) {
            return new ModelAnswer(502, errors.error("the upstream did not answer: " + e.getClass().getSimpleName(),
                    "upstream_error", "upstream_unreachable"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ModelAnswer(503, errors.error("interrupted", "upstream_error", "interrupted"));
        }
    }
}
