package dev.batchline.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How the client talks to a provider: requests with the API key in their one header, answers read
 * as JSON, refusals classified (408, 429 and 5xx may pass, the rest will not) with the provider's
 * message, and transient failures retried with capped exponential backoff and jitter, honouring
 * Retry-After.
 */
final class ProviderHttp {

    private static final int MAX_ERROR_TEXT = 500;

    private final ProviderProfile profile;
    private final String base;
    private final Supplier<String> apiKey;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final RetryPolicy retry;
    private final OpenAiBatchClient.Sleeper sleeper;
    private final Clock clock;

    ProviderHttp(ProviderProfile profile, Supplier<String> apiKey, HttpClient http, ObjectMapper mapper,
            RetryPolicy retry, OpenAiBatchClient.Sleeper sleeper, Clock clock) {
        this.profile = profile;
        this.base = profile.baseUrl().replaceAll("/+$", "");
        this.apiKey = apiKey;
        this.http = http;
        this.mapper = mapper;
        this.retry = retry;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** One attempt of a call. */
    interface Attempt<T> {
        T run();
    }

    HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json");
        String key = apiKey.get();
        if (key != null && !key.isEmpty()) {
            try {
                builder.header("Authorization", "Bearer " + key);
            } catch (IllegalArgumentException invalid) {
                // The JDK's message quotes the header's value, the key: neither it nor its cause may travel.
                throw new ProviderException("the API key of profile " + profile.name() + " holds characters no "
                        + "HTTP header may (a line break, say)", -1, null, null);
            }
        }
        return builder;
    }

    JsonNode sendJson(String what, HttpRequest.Builder request) {
        HttpResponse<byte[]> response = send(what, request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw failure(what, response.statusCode(), response.body(), response.headers());
        }
        try {
            JsonNode node = mapper.readTree(response.body());
            if (node == null || !node.isObject()) {
                throw new TransientProviderException(what + ": the provider answered " + response.statusCode()
                        + " without a JSON object", response.statusCode(), null, null, null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new TransientProviderException(what + ": the provider's answer is not JSON: "
                    + e.getOriginalMessage(), response.statusCode(), null, null, e);
        } catch (IOException e) {
            throw new TransientProviderException(what + ": the provider's answer cannot be read", response.statusCode(),
                    null, null, e);
        }
    }

    <T> HttpResponse<T> send(String what, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new TransientProviderException(what + " failed: " + describe(e), -1, null, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(what + " was interrupted", -1, null, e);
        }
    }

    <T> T withRetries(String what, Attempt<T> attempt) {
        return withRetries(what, attempt, e -> true);
    }

    /** Attempts again, with backoff, after a transient failure that {@code retryable} accepts. */
    <T> T withRetries(String what, Attempt<T> attempt, Predicate<TransientProviderException> retryable) {
        for (int number = 1; ; number++) {
            try {
                return attempt.run();
            } catch (TransientProviderException e) {
                if (number >= retry.maxAttempts() || !retryable.test(e)) {
                    throw e;
                }
                try {
                    sleeper.sleep(retry.delay(number, e.retryAfter()));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new ProviderException(what + " was interrupted", -1, null, interrupted);
                }
            }
        }
    }

    /** The provider's refusal, classified: 408, 429 and 5xx may pass; the rest will not. */
    ProviderException failure(String what, int status, byte[] body, HttpHeaders headers) {
        String code = null;
        String detail;
        try {
            JsonNode error = mapper.readTree(body).path("error");
            detail = error.isObject() ? error.path("message").asText("") : error.asText("");
            code = error.isObject() && error.hasNonNull("code") ? error.get("code").asText() : null;
            if (detail.isEmpty()) {
                detail = abbreviate(new String(body, StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            detail = abbreviate(new String(body, StandardCharsets.UTF_8));
        }
        String message = what + ": " + profile.name() + " answered " + status + (detail.isBlank() ? "" : ": " + detail)
                + (code == null ? "" : " (" + code + ")");
        if (status == 408 || status == 429 || status >= 500) {
            return new TransientProviderException(message, status, code, retryAfter(headers).orElse(null), null);
        }
        return new ProviderException(message, status, code);
    }

    private Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<String> millis = headers.firstValue("retry-after-ms");
        if (millis.isPresent()) {
            try {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(millis.get().trim())));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        return headers.firstValue("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration wait = Duration.between(clock.instant(), at.toInstant());
                    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
                } catch (DateTimeParseException notADate) {
                    return Optional.empty();
                }
            }
        });
    }

    static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String describe(IOException e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() <= MAX_ERROR_TEXT ? flat : flat.substring(0, MAX_ERROR_TEXT) + "...";
    }

    static byte[] readQuietly(InputStream in) {
        try (in) {
            return in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
