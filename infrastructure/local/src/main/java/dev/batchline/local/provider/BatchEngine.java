package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.ingest.BatchFileValidator;
import dev.batchline.ingest.LineSink;
import dev.batchline.ingest.ValidationIssue;
import dev.batchline.ingest.ValidationReport;
import dev.batchline.ingest.ValidatorSettings;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.CompletionWindow;
import dev.batchline.provider.Endpoint;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the local provider's batches through the real lifecycle on a timer: validating (the input
 * is checked as a provider would) → in_progress (requests answered at the configured rate, counts
 * live) → finalizing → completed; or cancelling → cancelled, or expired, both keeping partial
 * results and listing every unfinished request in the error file. Output lines come out in an
 * order different from the input, as real providers' do.
 */
final class BatchEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchEngine.class);
    private static final long TICK_MILLIS = 20;
    private static final int REORDER_WINDOW = 16;
    private static final int MAX_PROVIDER_ERRORS = 10;

    private final FileStore files;
    private final BatchModel model;
    private final LocalProviderConfig config;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Map<String, LocalBatch> batches = new LinkedHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong requestSequence = new AtomicLong();
    private final ScheduledExecutorService timer;

    BatchEngine(FileStore files, BatchModel model, LocalProviderConfig config, ObjectMapper mapper, Clock clock) {
        this.files = files;
        this.model = model;
        this.config = config;
        this.mapper = mapper;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "local-provider-batches");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    synchronized LocalBatch create(String inputFileId, String endpoint, String completionWindow,
            Map<String, String> metadata) {
        long now = clock.millis();
        String id = "batch_" + String.format("%06d", sequence.incrementAndGet());
        long window = CompletionWindow.parse(completionWindow).toMillis();
        LocalBatch batch = new LocalBatch(id, endpoint, inputFileId, completionWindow, metadata, now,
                now + Math.min(window, config.timing().expireAfterMillis()));
        batches.put(id, batch);
        return batch;
    }

    synchronized Optional<LocalBatch> find(String id) {
        return Optional.ofNullable(batches.get(id));
    }

    /** Newest first. */
    synchronized List<LocalBatch> list() {
        List<LocalBatch> all = new ArrayList<>(batches.values());
        Collections.reverse(all);
        return all;
    }

    /** False when the batch has already ended. */
    /** False when the batch has ended, or is finalizing: its output is being written, as real providers refuse. */
    synchronized boolean cancel(LocalBatch batch) {
        if (batch.status.isTerminal() || batch.status == BatchStatus.FINALIZING) {
            return false;
        }
        if (batch.status != BatchStatus.CANCELLING) {
            batch.enter(BatchStatus.CANCELLING, clock.millis());
        }
        return true;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("local provider: a batch step failed", e);
        }
    }

    synchronized void tick() {
        long now = clock.millis();
        for (LocalBatch batch : List.copyOf(batches.values())) {
            try {
                advance(batch, now);
            } catch (IOException e) {
                closeStreams(batch);
                batch.errors.add(new ProviderBatch.BatchError("server_error", "local provider I/O: " + e, null, null));
                batch.enter(BatchStatus.FAILED, now);
            }
        }
    }

    private void advance(LocalBatch batch, long now) throws IOException {
        LocalProviderConfig.Timing timing = config.timing();
        switch (batch.status) {
            case VALIDATING -> {
                if (now - batch.phaseStartMillis >= timing.validatingMillis()) {
                    validate(batch, now);
                }
            }
            case IN_PROGRESS -> {
                if (now >= batch.expiresAtMillis) {
                    finishEarly(batch, BatchStatus.EXPIRED, "batch_expired",
                            "This request could not be executed before the completion window expired.", now);
                } else {
                    process(batch, now);
                }
            }
            case FINALIZING -> {
                if (now - batch.phaseStartMillis >= timing.finalizingMillis() + config.faults().stuckFinalizingMillis()) {
                    complete(batch, BatchStatus.COMPLETED, now);
                }
            }
            case CANCELLING -> {
                if (now - batch.phaseStartMillis >= timing.cancellingMillis()) {
                    finishEarly(batch, BatchStatus.CANCELLED, "batch_cancelled",
                            "This request was not executed because the batch was cancelled.", now);
                }
            }
            default -> {
            }
        }
    }

    private void validate(LocalBatch batch, long now) throws IOException {
        Optional<FileStore.StoredFile> input = files.find(batch.inputFileId);
        if (input.isEmpty()) {
            fail(batch, List.of(new ProviderBatch.BatchError("invalid_file",
                    "The input file " + batch.inputFileId + " no longer exists.", "input_file_id", null)), now);
            return;
        }
        int limit = config.faults().maxConcurrentBatches();
        if (limit > 0 && batches.values().stream().filter(LocalBatch::running).count() >= limit) {
            fail(batch, List.of(new ProviderBatch.BatchError("token_limit_exceeded",
                    "Enqueued token limit reached: at most " + limit + " batches may be in progress at once. "
                            + "Wait for some to finish before creating more.", null, null)), now);
            return;
        }
        ValidationReport report;
        try (InputStream in = Files.newInputStream(input.get().path())) {
            report = new BatchFileValidator(profileFor(batch.endpoint), new ValidatorSettings(MAX_PROVIDER_ERRORS,
                    128, 64 * 1024)).validate(in, NO_LINES);
        }
        if (!report.valid()) {
            List<ProviderBatch.BatchError> errors = new ArrayList<>();
            for (ValidationIssue issue : report.errors()) {
                errors.add(new ProviderBatch.BatchError(issue.code().code(), issue.message(), issue.param(),
                        issue.line()));
            }
            fail(batch, errors, now);
            return;
        }
        batch.total = report.requests();
        openStreams(batch, input.get());
        batch.enter(BatchStatus.IN_PROGRESS, now);
    }

    private void openStreams(LocalBatch batch, FileStore.StoredFile input) throws IOException {
        batch.input = Files.newBufferedReader(input.path(), StandardCharsets.UTF_8);
        batch.outputPath = files.newContentPath();
        batch.errorPath = files.newContentPath();
        batch.output = Files.newBufferedWriter(batch.outputPath, StandardCharsets.UTF_8);
        batch.errorOutput = Files.newBufferedWriter(batch.errorPath, StandardCharsets.UTF_8);
    }

    /** What a provider accepts for one batch: its endpoint only, any number of models, OpenAI's limits. */
    private static ProviderProfile profileFor(String endpoint) {
        ProviderProfile generic = ProviderProfiles.GENERIC;
        return new ProviderProfile(generic.name(), generic.baseUrl(), "", List.of(Endpoint.fromPath(endpoint)
                .orElseThrow()), generic.maxRequestsPerBatch(), generic.maxBytesPerBatch(), generic.maxLineBytes(),
                generic.maxRequestsPerBatch(), generic.maxBytesPerBatch(), false, false, "24h", 1, 1, 1, 1, "batch",
                Map.of());
    }

    private static final LineSink NO_LINES = new LineSink() {
        @Override
        public int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second) {
            return 1;
        }

        @Override
        public void abandon() {
        }

        @Override
        public int finish() {
            return 1;
        }
    };

    private void fail(LocalBatch batch, List<ProviderBatch.BatchError> errors, long now) {
        batch.errors.addAll(errors);
        batch.enter(BatchStatus.FAILED, now);
    }

    private void process(LocalBatch batch, long now) throws IOException {
        batch.budget += config.timing().requestsPerSecond() * (double) TICK_MILLIS / 1000;
        while (batch.budget >= 1) {
            String line = batch.input.readLine();
            if (line == null) {
                flushWindow(batch);
                batch.enter(BatchStatus.FINALIZING, now);
                return;
            }
            batch.budget--;
            answer(batch, line);
        }
    }

    private void answer(LocalBatch batch, String line) throws IOException {
        JsonNode request = mapper.readTree(line);
        String customId = request.path("custom_id").asText();
        ModelAnswer answer = config.faults().failRequests().stream().filter(f -> f.matches(customId)).findFirst()
                .map(f -> new ModelAnswer(f.statusCode(), new DeterministicModel(mapper).error(f.message(),
                        "server_error", f.errorCode())))
                .orElseGet(() -> model.answer(batch.endpoint, request.path("body")));
        long number = requestSequence.incrementAndGet();
        ObjectNode result = mapper.createObjectNode().put("id", "batch_req_" + String.format("%08d", number))
                .put("custom_id", customId);
        result.putObject("response").put("status_code", answer.statusCode())
                .put("request_id", "req_" + String.format("%08d", number)).set("body", answer.body());
        result.putNull("error");
        batch.processed++;
        if (answer.succeeded()) {
            batch.completed++;
        } else {
            batch.failed++;
        }
        batch.window.add(new String[] {answer.succeeded() ? "output" : "error", result.toString()});
        if (batch.window.size() == REORDER_WINDOW) {
            flushWindow(batch);
        }
    }

    /** Written last-answered first: the output order is not the input order, as at real providers. */
    private void flushWindow(LocalBatch batch) throws IOException {
        for (int i = batch.window.size() - 1; i >= 0; i--) {
            String[] entry = batch.window.get(i);
            (entry[0].equals("output") ? batch.output : batch.errorOutput).write(entry[1] + "\n");
        }
        batch.window.clear();
    }

    /** Expired or cancelled: what was answered stays, every request not answered goes to the error file. */
    private void finishEarly(LocalBatch batch, BatchStatus status, String code, String message, long now)
            throws IOException {
        Optional<FileStore.StoredFile> input = files.find(batch.inputFileId);
        if (batch.input == null && input.isPresent()) {
            openStreams(batch, input.get());
        }
        if (batch.input != null) {
            flushWindow(batch);
            String line;
            while ((line = batch.input.readLine()) != null) {
                long number = requestSequence.incrementAndGet();
                ObjectNode result = mapper.createObjectNode().put("id", "batch_req_" + String.format("%08d", number))
                        .put("custom_id", mapper.readTree(line).path("custom_id").asText());
                result.putNull("response");
                result.putObject("error").put("code", code).put("message", message);
                batch.errorOutput.write(result + "\n");
            }
        }
        complete(batch, status, now);
    }

    private void complete(LocalBatch batch, BatchStatus status, long now) throws IOException {
        if (batch.input != null) {
            flushWindow(batch);
            closeStreams(batch);
            batch.outputFileId = registerIfNotEmpty(batch.outputPath, batch.id + "_output.jsonl", now);
            batch.errorFileId = registerIfNotEmpty(batch.errorPath, batch.id + "_error.jsonl", now);
        }
        batch.enter(status, now);
        LOG.info("local provider: batch {} {} ({} completed, {} failed of {})", batch.id, status.wireValue(),
                batch.completed, batch.failed, batch.total);
    }

    private String registerIfNotEmpty(java.nio.file.Path path, String name, long now) throws IOException {
        if (Files.size(path) == 0) {
            Files.delete(path);
            return null;
        }
        return files.register(path, name, "batch_output", java.time.Instant.ofEpochMilli(now)).id();
    }

    private static void closeStreams(LocalBatch batch) {
        for (AutoCloseable stream : new AutoCloseable[] {batch.input, batch.output, batch.errorOutput}) {
            if (stream != null) {
                try {
                    stream.close();
                } catch (Exception e) {
                    throw new UncheckedIOException(new IOException("closing a batch stream", e));
                }
            }
        }
        batch.input = null;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            batches.values().forEach(batch -> {
                if (batch.input != null) {
                    closeStreams(batch);
                }
            });
        }
    }
}
