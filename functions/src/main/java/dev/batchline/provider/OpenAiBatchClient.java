package dev.batchline.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.config.Json;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.ByteArrayInputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
 * carrying the provider's message ({@link ProviderHttp}). The API key goes into one header and
 * nowhere else. Files come down into S3 through {@link FileDownload}.
 */
public final class OpenAiBatchClient implements BatchProvider {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiBatchClient.class);

    private static final int FILE_SEARCH_PAGES = 10;
    private static final int FILE_PAGE_SIZE = 100;

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
    private final ProviderHttp http;
    private final FileDownload download;
    private final S3Client s3;
    private final ObjectMapper mapper;
    private final Settings settings;
    private final Duration callTimeout;

    public OpenAiBatchClient(ProviderProfile profile, Supplier<String> apiKey, HttpClient http, S3Client s3,
            ObjectMapper mapper, Settings settings, Sleeper sleeper, Clock clock) {
        this.profile = profile;
        this.http = new ProviderHttp(profile, apiKey, http, mapper, settings.retry(), sleeper, clock);
        this.download = new FileDownload(this.http, s3, settings.s3PartBytes(), clock);
        this.s3 = s3;
        this.mapper = mapper;
        this.settings = settings;
        this.callTimeout = Duration.ofSeconds(profile.callTimeoutSeconds());
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
        return parseBatch(http.withRetries(what, () -> sendJson(what, request),
                OpenAiBatchClient::certainlyNotCarriedOut));
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
        return withRetries(what, () -> download.attempt(what, fileId, bucket, key, deadline, false)).bytes();
    }

    @Override
    public Download downloadWhatArrives(String fileId, String bucket, String key, Instant deadline) {
        return download.attempt("last download of file " + fileId, fileId, bucket, key, deadline, true);
    }

    private ProviderBatch batch(String what, HttpRequest.Builder request) {
        return parseBatch(withRetries(what, () -> sendJson(what, request)));
    }

    /** Reads a batch object as the client does; for tests of the normalisation. */
    public ProviderBatch parseBatchForTest(JsonNode node) {
        return parseBatch(node);
    }

    private ProviderBatch parseBatch(JsonNode node) {
        return ProviderBatch.fromJson(node, profile.statusAliases());
    }

    private static String encode(String pathSegment) {
        return ProviderHttp.encode(pathSegment);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return http.request(path, timeout);
    }

    private JsonNode sendJson(String what, HttpRequest.Builder request) {
        return http.sendJson(what, request);
    }

    private <T> T withRetries(String what, ProviderHttp.Attempt<T> attempt) {
        return http.withRetries(what, attempt);
    }
}
