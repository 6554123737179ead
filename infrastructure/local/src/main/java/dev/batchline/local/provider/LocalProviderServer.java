package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.batchline.provider.CompletionWindow;
import dev.batchline.provider.Endpoint;
import dev.batchline.provider.ProviderBatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batchline's local provider: an OpenAI-compatible Files and Batches API on a loopback port, with
 * the real batch lifecycle, a deterministic model (or an upstream endpoint) and fault injection.
 * What the local pipeline and the tests run against; {@code batchline provider} serves it alone.
 */
public final class LocalProviderServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalProviderServer.class);
    private static final Pattern BATCH = Pattern.compile("/v1/batches/([^/]+)");
    private static final Pattern BATCH_CANCEL = Pattern.compile("/v1/batches/([^/]+)/cancel");
    private static final int MAX_JSON_BODY = 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final FileStore files;
    private final BatchEngine engine;
    private final BatchModel model;
    private final LocalProviderConfig config;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final String requiredApiKey;
    private final Map<LocalProviderConfig.CallFailure, AtomicInteger> callFailuresLeft = new LinkedHashMap<>();
    private final ApiReplies replies;
    private final FileApi fileApi;

    private LocalProviderServer(HttpServer server, ExecutorService executor, FileStore files, BatchEngine engine,
            BatchModel model, LocalProviderConfig config, ObjectMapper mapper, Clock clock, String requiredApiKey) {
        this.server = server;
        this.executor = executor;
        this.files = files;
        this.engine = engine;
        this.model = model;
        this.config = config;
        this.mapper = mapper;
        this.clock = clock;
        this.requiredApiKey = requiredApiKey;
        this.replies = new ApiReplies(mapper);
        this.fileApi = new FileApi(files, config, replies, mapper, clock);
        config.faults().failCalls().forEach(f -> callFailuresLeft.put(f, new AtomicInteger(f.times())));
    }

    /**
     * Starts on {@code 127.0.0.1:port} (0 for a free port).
     *
     * @param requiredApiKey when not null, calls must carry it as a bearer token
     */
    public static LocalProviderServer start(int port, LocalProviderConfig config, String requiredApiKey,
            ObjectMapper mapper, Clock clock) throws IOException {
        FileStore files = new FileStore();
        BatchModel model = config.upstream() == null ? new DeterministicModel(mapper)
                : new UpstreamModel(config.upstream(), mapper);
        BatchEngine engine = new BatchEngine(files, model, config, mapper, clock);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
            Thread thread = new Thread(r, "local-provider-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        LocalProviderServer provider = new LocalProviderServer(server, executor, files, engine, model, config, mapper,
                clock, requiredApiKey);
        server.createContext("/", provider::handle);
        server.start();
        return provider;
    }

    /** The API base, e.g. {@code http://127.0.0.1:8089/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
            Optional<BrowserGuard.Refusal> refused = BrowserGuard.check(exchange, method, path);
            if (refused.isPresent()) {
                ApiReplies.drain(exchange);
                replies.error(exchange, refused.get().status(), refused.get().message(), "invalid_request_error", null,
                        null);
                return;
            }
            if (requiredApiKey != null && !("Bearer " + requiredApiKey).equals(
                    exchange.getRequestHeaders().getFirst("Authorization"))) {
                ApiReplies.drain(exchange);
                replies.error(exchange, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key",
                        null);
                return;
            }
            Optional<LocalProviderConfig.CallFailure> injected = injectedFailure(method, path);
            if (injected.isPresent()) {
                LocalProviderConfig.CallFailure failure = injected.get();
                if (failure.stallMillis() > 0) {
                    stall(failure.stallMillis());
                }
                if (failure.after()) {
                    // The call takes effect; only its answer is lost, replaced by the failure.
                    route(new AnswerDroppingExchange(exchange), method, path);
                }
                ApiReplies.drain(exchange);
                if (failure.retryAfterSeconds() != null) {
                    exchange.getResponseHeaders().set("Retry-After", failure.retryAfterSeconds().toString());
                }
                replies.error(exchange, failure.status(), "Injected failure " + failure.status() + " for " + method + " "
                        + path, failure.status() == 429 ? "rate_limit_exceeded" : "server_error", null, null);
                return;
            }
            route(exchange, method, path);
        } catch (RuntimeException e) {
            LOG.error("local provider: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        }
    }

    private static void stall(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<LocalProviderConfig.CallFailure> injectedFailure(String method, String path) {
        for (Map.Entry<LocalProviderConfig.CallFailure, AtomicInteger> entry : callFailuresLeft.entrySet()) {
            LocalProviderConfig.CallFailure failure = entry.getKey();
            if ((failure.method().equals("*") || failure.method().equalsIgnoreCase(method))
                    && path.startsWith(failure.pathPrefix()) && entry.getValue().getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                return Optional.of(failure);
            }
        }
        return Optional.empty();
    }

    private void route(HttpExchange exchange, String method, String path) throws IOException {
        Matcher matcher;
        if (fileApi.route(exchange, method, path)) {
            return;
        }
        if (method.equals("POST") && Endpoint.fromPath(path).isPresent()) {
            answerNow(exchange, path);
        } else if (path.equals("/v1/batches") && method.equals("POST")) {
            createBatch(exchange);
        } else if (path.equals("/v1/batches") && method.equals("GET")) {
            listBatches(exchange);
        } else if ((matcher = BATCH_CANCEL.matcher(path)).matches() && method.equals("POST")) {
            cancelBatch(exchange, decode(matcher.group(1)));
        } else if ((matcher = BATCH.matcher(path)).matches() && method.equals("GET")) {
            String id = decode(matcher.group(1));
            Optional<LocalBatch> batch = engine.find(id);
            if (batch.isPresent()) {
                replies.json(exchange, 200, batchJson(batch.get()));
            } else {
                replies.error(exchange, 404, "No batch found with id '" + id + "'.", "invalid_request_error", null, "id");
            }
        } else {
            ApiReplies.drain(exchange);
            replies.error(exchange, 404, "Invalid URL (" + method + " " + path + ")", "invalid_request_error", null,
                    null);
        }
    }

    private void createBatch(HttpExchange exchange) throws IOException {
        JsonNode request;
        try {
            request = mapper.readTree(exchange.getRequestBody().readNBytes(MAX_JSON_BODY));
        } catch (IOException e) {
            replies.error(exchange, 400, "The body is not valid JSON.", "invalid_request_error", null, null);
            return;
        }
        String inputFileId = request.path("input_file_id").asText("");
        String endpoint = request.path("endpoint").asText("");
        String window = request.path("completion_window").asText("");
        if (inputFileId.isEmpty()) {
            replies.error(exchange, 400, "input_file_id is required.", "invalid_request_error", null, "input_file_id");
        } else if (files.find(inputFileId).isEmpty()) {
            replies.error(exchange, 400, "Input file " + inputFileId + " was not found.", "invalid_request_error", null,
                    "input_file_id");
        } else if (Endpoint.fromPath(endpoint).isEmpty()) {
            replies.error(exchange, 400, "Unsupported endpoint '" + endpoint + "'.", "invalid_request_error", null,
                    "endpoint");
        } else if (!isCompletionWindow(window)) {
            replies.error(exchange, 400, "Invalid completion_window '" + window + "': use 24h (or, here, a number of"
                    + " seconds, minutes, hours or days such as 90s).", "invalid_request_error", null,
                    "completion_window");
        } else {
            Map<String, String> metadata = new LinkedHashMap<>();
            request.path("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
            replies.json(exchange, 200, batchJson(engine.create(inputFileId, endpoint, window, metadata)));
        }
    }

    private static boolean isCompletionWindow(String window) {
        try {
            CompletionWindow.parse(window);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The synchronous endpoints, answered by the same model: a stand-in upstream for another local provider. */
    private void answerNow(HttpExchange exchange, String endpoint) throws IOException {
        JsonNode body;
        try {
            body = mapper.readTree(exchange.getRequestBody().readNBytes(MAX_JSON_BODY));
        } catch (IOException e) {
            replies.error(exchange, 400, "The body is not valid JSON.", "invalid_request_error", null, null);
            return;
        }
        ModelAnswer answer = model.answer(endpoint, body);
        replies.json(exchange, answer.statusCode(), answer.body());
    }

    private void listBatches(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI());
        int limit = Math.max(1, Math.min(100, Integer.parseInt(query.getOrDefault("limit", "20"))));
        String after = query.get("after");
        List<LocalBatch> all = engine.list();
        int start = 0;
        if (after != null) {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).id.equals(after)) {
                    start = i + 1;
                }
            }
        }
        List<LocalBatch> page = all.subList(Math.min(start, all.size()), Math.min(start + limit, all.size()));
        ObjectNode list = mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        page.forEach(batch -> data.add(batchJson(batch)));
        if (!page.isEmpty()) {
            list.put("first_id", page.get(0).id).put("last_id", page.get(page.size() - 1).id);
        }
        list.put("has_more", start + limit < all.size());
        replies.json(exchange, 200, list);
    }

    private void cancelBatch(HttpExchange exchange, String id) throws IOException {
        Optional<LocalBatch> batch = engine.find(id);
        if (batch.isEmpty()) {
            replies.error(exchange, 404, "No batch found with id '" + id + "'.", "invalid_request_error", null, "id");
        } else if (!engine.cancel(batch.get())) {
            replies.error(exchange, 409, "Cannot cancel a batch with status '" + batch.get().status.wireValue() + "'.",
                    "invalid_request_error", null, null);
        } else {
            replies.json(exchange, 200, batchJson(batch.get()));
        }
    }

    private ObjectNode batchJson(LocalBatch batch) {
        LocalProviderConfig.Quirks quirks = config.faults().quirks();
        synchronized (engine) {
            ObjectNode node = mapper.createObjectNode().put("id", batch.id).put("object", "batch")
                    .put("endpoint", batch.endpoint);
            if (batch.errors.isEmpty()) {
                node.putNull("errors");
            } else {
                ObjectNode errors = node.putObject("errors").put("object", "list");
                ArrayNode data = errors.putArray("data");
                for (ProviderBatch.BatchError error : batch.errors) {
                    ObjectNode entry = data.addObject().put("code", error.code()).put("message", error.message());
                    entry.put("param", error.param());
                    if (error.line() == null) {
                        entry.putNull("line");
                    } else {
                        entry.put("line", error.line());
                    }
                }
            }
            node.put("input_file_id", batch.inputFileId).put("completion_window", batch.completionWindow);
            String status = batch.status.wireValue();
            node.put("status", quirks.uppercaseStatus() ? status.toUpperCase(Locale.ROOT) : status);
            fileId(node, "output_file_id", batch.outputFileId, quirks);
            fileId(node, "error_file_id", batch.errorFileId, quirks);
            node.put("created_at", batch.createdAtMillis / 1000);
            for (String field : List.of("in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at",
                    "cancelling_at", "cancelled_at")) {
                Long at = batch.timestamps.get(field);
                if (at == null) {
                    node.putNull(field);
                } else {
                    node.put(field, at);
                }
            }
            node.put("expires_at", batch.expiresAtMillis / 1000);
            node.putObject("request_counts").put("total", batch.total).put("completed", batch.completed)
                    .put("failed", batch.failed);
            ObjectNode metadata = node.putObject("metadata");
            batch.metadata.forEach(metadata::put);
            if (quirks.extraFields()) {
                node.put("x_provider", "batchline-local").put("priority", "standard")
                        .putObject("x_progress").put("processed", batch.processed);
            }
            return node;
        }
    }

    private static void fileId(ObjectNode node, String field, String id, LocalProviderConfig.Quirks quirks) {
        if (id != null) {
            node.put(field, id);
        } else if (quirks.emptyFileIds()) {
            node.put(field, "");
        } else {
            node.putNull(field);
        }
    }

    static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    values.put(decode(pair.substring(0, equals)), decode(pair.substring(equals + 1)));
                }
            }
        }
        return values;
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
        executor.shutdownNow();
        engine.close();
        files.close();
    }
}
