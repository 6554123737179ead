package dev.batchline.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.config.Json;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The OpenAI-compatible Files and Batches API over {@code java.net.http} and Jackson: small enough
 * for a Lambda's cold start, streaming both ways so a 200 MB file never sits in memory.
 *
 * <p>Every call retries transient failures (429 honouring Retry-After, 5xx, time-outs, refused
 * connections) with capped exponential backoff and jitter, then gives up with a
 * {@link TransientProviderException}; other refusals fail at once with a {@link ProviderException}
 * carrying the provider's message. The API key goes into one header and nowhere else.
 */
public final class OpenAiBatchClient implements BatchProvider {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiBatchClient.class);

    private static final int MAX_ERROR_TEXT = 500;
    private static final int FILE_SEARCH_PAGES = 10;
    private static final int FILE_PAGE_SIZE = 100;
    private static final int PARTIAL_CONTENT = 206;
    private static final int RANGE_NOT_SATISFIABLE = 416;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "batchline-download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param upload       longest wait for an upload, body included
     * @param s3PartBytes  part size of downloads written to S3 (the memory one download holds)
     */
    public record Settings(Duration upload, int s3PartBytes, RetryPolicy retry) {
        public static final Settings DEFAULT = new Settings(Duration.ofMinutes(10),
                S3ObjectOutputStream.MIN_PART_BYTES * 2, RetryPolicy.DEFAULT);
    }

    /** Waits between attempts; a test passes one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final ProviderProfile profile;
    private final String base;
    private final Supplier<String> apiKey;
    private final HttpClient http;
    private final S3Client s3;
    private final ObjectMapper mapper;
    private final Settings settings;
    private final Duration callTimeout;
    private final Sleeper sleeper;
    private final Clock clock;

    public OpenAiBatchClient(ProviderProfile profile, Supplier<String> apiKey, HttpClient http, S3Client s3,
            ObjectMapper mapper, Settings settings, Sleeper sleeper, Clock clock) {
        this.profile = profile;
        this.base = profile.baseUrl().replaceAll("/+$", "");
        this.apiKey = apiKey;
        this.http = http;
        this.s3 = s3;
        this.mapper = mapper;
        this.settings = settings;
        this.callTimeout = Duration.ofSeconds(profile.callTimeoutSeconds());
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** An HTTP client fit for providers: HTTP/1.1 (plain-http gateways often refuse h2c), bounded connect time. */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public ProviderFile uploadFile(String bucket, String key, String filename) {
        long size = s3.headObject(r -> r.bucket(bucket).key(key)).contentLength();
        String boundary = "batchline-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
                + profile.filePurpose() + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename.replace("\"", "%22") + "\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + size + tail.length;
        String what = "upload of s3://" + bucket + "/" + key;
        boolean[] tried = {false};
        JsonNode file = withRetries(what, () -> {
            if (tried[0]) {
                // The last attempt's answer was lost; it may have stored the file all the same.
                Optional<ProviderFile> stored = findUpload(filename, size);
                if (stored.isPresent()) {
                    return stored.get().raw();
                }
            }
            tried[0] = true;
            return uploadOnce(what, boundary, head, tail, length, bucket, key);
        });
        return file(file);
    }

    private JsonNode uploadOnce(String what, String boundary, byte[] head, byte[] tail, long length, String bucket,
            String key) {
        return sendJson(what, request("/files", settings.upload())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new SequenceInputStream(Collections.enumeration(List.of(
                                new ByteArrayInputStream(head),
                                s3.getObject(r -> r.bucket(bucket).key(key)),
                                new ByteArrayInputStream(tail))))), length)));
    }

    @Override
    public Optional<ProviderFile> findUpload(String filename, long bytes) {
        String after = null;
        for (int page = 0; page < FILE_SEARCH_PAGES; page++) {
            String query = "?purpose=" + encode(profile.filePurpose()) + "&limit=" + FILE_PAGE_SIZE + "&order=desc"
                    + (after == null ? "" : "&after=" + encode(after));
            String what = "listing of files";
            JsonNode list = withRetries(what, () -> sendJson(what, request("/files" + query, callTimeout).GET()));
            for (JsonNode node : list.path("data")) {
                ProviderFile file = file(node);
                if (!filename.equals(file.filename())) {
                    continue;
                }
                if (file.bytes() == bytes) {
                    return Optional.of(file);
                }
                LOG.warn("file {} ({}) holds {} of {} bytes: deleting it", file.id(), filename, file.bytes(), bytes);
                deleteFile(file.id());
            }
            if (!list.path("has_more").asBoolean(false) || list.path("data").isEmpty()) {
                return Optional.empty();
            }
            after = list.path("data").get(list.path("data").size() - 1).path("id").asText();
        }
        return Optional.empty();
    }

    private static ProviderFile file(JsonNode file) {
        return new ProviderFile(ProviderBatch.text(file, "id"), file.path("bytes").asLong(),
                ProviderBatch.text(file, "filename"), ProviderBatch.text(file, "purpose"), (ObjectNode) file);
    }

    @Override
    public ProviderBatch createBatch(String inputFileId, String endpoint, Map<String, String> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input_file_id", inputFileId);
        body.put("endpoint", endpoint);
        body.put("completion_window", profile.completionWindow());
        body.put("metadata", metadata);
        String json = Json.write(mapper, body);
        String what = "creation of a batch over file " + inputFileId;
        HttpRequest.Builder request = request("/batches", callTimeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        // Creating is not idempotent: after a 5xx, a time-out or a reset the batch may exist, and only
        // a search by its metadata (the caller's) can tell. Retried here only when the provider
        // certainly did nothing: it refused for rate (429) or was never reached.
        return parseBatch(withRetries(what, () -> sendJson(what, request), OpenAiBatchClient::certainlyNotCarriedOut));
    }

    private static boolean certainlyNotCarriedOut(TransientProviderException e) {
        return e.statusCode() == 429 || e.getCause() instanceof java.net.ConnectException;
    }

    @Override
    public ProviderBatch retrieveBatch(String batchId) {
        return batch("retrieval of batch " + batchId, request("/batches/" + encode(batchId), callTimeout).GET());
    }

    @Override
    public ProviderBatch cancelBatch(String batchId) {
        return batch("cancellation of batch " + batchId, request("/batches/" + encode(batchId) + "/cancel",
                callTimeout).POST(HttpRequest.BodyPublishers.noBody()));
    }

    @Override
    public BatchPage listBatches(String after, int limit) {
        String query = "?limit=" + limit + (after == null ? "" : "&after=" + encode(after));
        String what = "listing of batches";
        JsonNode page = withRetries(what, () -> sendJson(what, request("/batches" + query, callTimeout).GET()));
        List<ProviderBatch> batches = new ArrayList<>();
        for (JsonNode node : page.path("data")) {
            batches.add(parseBatch(node));
        }
        String lastId = ProviderBatch.text(page, "last_id");
        if (lastId == null && !batches.isEmpty()) {
            lastId = batches.get(batches.size() - 1).id();
        }
        return new BatchPage(batches, page.path("has_more").asBoolean(false), lastId);
    }

    @Override
    public void deleteFile(String fileId) {
        String what = "deletion of file " + fileId;
        withRetries(what, () -> sendJson(what, request("/files/" + encode(fileId), callTimeout).DELETE()));
    }

    @Override
    public long downloadFile(String fileId, String bucket, String key, Instant deadline) {
        String what = "download of file " + fileId;
        return withRetries(what, () -> downloadOnce(what, fileId, bucket, key, deadline, false)).bytes();
    }

    @Override
    public Download downloadWhatArrives(String fileId, String bucket, String key, Instant deadline) {
        return downloadOnce("last download of file " + fileId, fileId, bucket, key, deadline, true);
    }

    private Download downloadOnce(String what, String fileId, String bucket, String key, Instant deadline,
            boolean keepWhatArrives) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new TransientProviderException(what + " did not finish before its deadline", -1, null, null, null);
        }
        // An earlier attempt, in this process or one that timed out, may have copied whole parts already.
        S3ObjectOutputStream out = S3ObjectOutputStream.resume(s3, bucket, key, "application/jsonl",
                settings.s3PartBytes());
        long offset = out.resumedBytes();
        HttpRequest.Builder request = request("/files/" + encode(fileId) + "/content", left).GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> response = send(what, request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() == RANGE_NOT_SATISFIABLE && offset > 0) {
            // Every byte was copied; only the completion was lost.
            closeQuietly(response.body());
            complete(what, out);
            return new Download(offset, true);
        }
        if (response.statusCode() / 100 != 2) {
            byte[] errorBody = readQuietly(response.body());
            if (keepWhatArrives) {
                complete(what, out);
                return new Download(offset, false);
            }
            out.suspend();
            throw failure(what, response.statusCode(), errorBody, response.headers());
        }
        boolean partial = response.statusCode() == PARTIAL_CONTENT;
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        long expected = length < 0 ? -1 : partial ? offset + length : length;
        InputStream body = response.body();
        long copied = offset;
        // The HTTP client's time-out ends with the headers; a stalled body is closed under the reader.
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(body), left.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            if (!partial && offset > 0) {
                body.skipNBytes(offset); // the provider ignores Range: skip what is already copied
            }
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = body.read(buffer)) >= 0; ) {
                out.write(buffer, 0, read);
                copied += read;
            }
            if (expected >= 0 && copied != expected) {
                throw new IOException("the body ended after " + copied + " of " + expected + " bytes");
            }
            out.close();
            return new Download(copied, true);
        } catch (IOException e) {
            if (keepWhatArrives) {
                LOG.warn("{} kept {} bytes: {}", what, copied, e.getMessage());
                complete(what, out);
                return new Download(copied, false);
            }
            out.suspend();
            String reason = clock.instant().isBefore(deadline) ? e.getMessage() : "it stalled past its deadline";
            throw new TransientProviderException(what + " failed: " + reason, -1, null, null, e);
        } catch (RuntimeException e) {
            out.abort();
            throw e;
        } finally {
            watchdog.cancel(false);
            closeQuietly(body);
        }
    }

    private static void complete(String what, S3ObjectOutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            throw new TransientProviderException(what + " could not be completed in S3: " + e.getMessage(), -1,
                    null, null, e);
        }
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
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

    private ProviderBatch batch(String what, HttpRequest.Builder request) {
        return parseBatch(withRetries(what, () -> sendJson(what, request)));
    }

    private JsonNode sendJson(String what, HttpRequest.Builder request) {
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

    private <T> HttpResponse<T> send(String what, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new TransientProviderException(what + " failed: " + describe(e), -1, null, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(what + " was interrupted", -1, null, e);
        }
    }

    private interface Attempt<T> {
        T run();
    }

    private <T> T withRetries(String what, Attempt<T> attempt) {
        return withRetries(what, attempt, e -> true);
    }

    /** Attempts again, with backoff, after a transient failure that {@code retryable} accepts. */
    private <T> T withRetries(String what, Attempt<T> attempt,
            java.util.function.Predicate<TransientProviderException> retryable) {
        for (int number = 1; ; number++) {
            try {
                return attempt.run();
            } catch (TransientProviderException e) {
                if (number >= settings.retry().maxAttempts() || !retryable.test(e)) {
                    throw e;
                }
                try {
                    sleeper.sleep(settings.retry().delay(number, e.retryAfter()));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new ProviderException(what + " was interrupted", -1, null, interrupted);
                }
            }
        }
    }

    /** The provider's refusal, classified: 408, 429 and 5xx may pass; the rest will not. */
    private ProviderException failure(String what, int status, byte[] body, HttpHeaders headers) {
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

    /** Reads a batch object as the client does; for tests of the normalisation. */
    public ProviderBatch parseBatchForTest(JsonNode node) {
        return parseBatch(node);
    }

    private ProviderBatch parseBatch(JsonNode node) {
        return ProviderBatch.fromJson(node, profile.statusAliases());
    }

    private static String encode(String pathSegment) {
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

    private static byte[] readQuietly(InputStream in) {
        try (in) {
            return in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
