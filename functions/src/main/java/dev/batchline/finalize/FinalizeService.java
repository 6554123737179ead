package dev.batchline.finalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStore;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.PartProgress;
import dev.batchline.job.PartRecord;
import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.ProviderBatch;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.LineStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * FinalizePart: turns a finished provider batch into one S3 object per request. The provider's
 * output and error files are first copied to S3 (they may expire at the provider); then they are
 * split from S3 in slices, the cursor and the set of custom_ids seen saved after each, so a crash or
 * a time-out resumes where it stopped without writing a record twice; last, every input custom_id
 * the provider did not report becomes an error record ({@code batch_expired}, {@code batch_cancelled},
 * {@code batch_failed} or {@code missing_from_provider_output}). Every input request ends in
 * exactly one of results/ or errors/.
 */
public final class FinalizeService {

    static final String PHASE_OUTPUT = "output";
    static final String PHASE_ERRORS = "errors";
    static final String PHASE_MISSING = "missing";
    static final String PHASE_DONE = "done";
    private static final Logger LOG = LoggerFactory.getLogger(FinalizeService.class);
    private static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    private final S3Client s3;
    private final JobStore jobs;
    private final ProviderClients providers;
    private final EventPublisher events;
    private final FinalizeSettings settings;
    private final ExecutorService writers;
    private final ObjectMapper mapper;
    private final Clock clock;

    public FinalizeService(S3Client s3, JobStore jobs, ProviderClients providers, EventPublisher events,
            FinalizeSettings settings, ExecutorService writers, ObjectMapper mapper, Clock clock) {
        this.s3 = s3;
        this.jobs = jobs;
        this.providers = providers;
        this.events = events;
        this.settings = settings;
        this.writers = writers;
        this.mapper = mapper;
        this.clock = clock;
    }

    public static String workPrefix(String jobId, int partNumber) {
        return String.format("provider/%s/part-%05d/", jobId, partNumber);
    }

    /** Does one slice; the answer's {@code moreWork} says whether to call again. */
    public PartProgress finalizePart(PartProgress part, Instant deadline) {
        JobRecord job = jobs.find(part.jobId()).orElseThrow(() -> new IllegalStateException(
                "job " + part.jobId() + " is not recorded"));
        PartRecord record = jobs.part(part.jobId(), part.partNumber());
        String bucket = job.source().bucket();
        String prefix = workPrefix(part.jobId(), part.partNumber());
        if (record.finalizePhase() == null) {
            copyFromProvider(job, record, bucket, prefix, deadline);
            jobs.saveFinalizeProgress(part.jobId(), part.partNumber(), PHASE_OUTPUT, 0, PartOutcome.NONE);
            record = jobs.part(part.jobId(), part.partNumber());
        }
        if (PHASE_DONE.equals(record.finalizePhase())) {
            return part.withMoreWork(false);
        }
        Slice slice = new Slice(job, record, bucket, prefix, deadline);
        boolean more = slice.run();
        return part.withMoreWork(more);
    }

    private void copyFromProvider(JobRecord job, PartRecord record, String bucket, String prefix, Instant deadline) {
        BatchProvider provider = providers.forProfile(job.profile());
        ProviderBatch batch = provider.retrieveBatch(record.batchId());
        if (batch.outputFileId() != null) {
            provider.downloadFile(batch.outputFileId(), bucket, prefix + "output.jsonl", deadline);
        }
        if (batch.errorFileId() != null) {
            provider.downloadFile(batch.errorFileId(), bucket, prefix + "errors.jsonl", deadline);
        }
        s3.putObject(r -> r.bucket(bucket).key(prefix + "batch.json").contentType("application/json"),
                RequestBody.fromString(batch.raw().toString()));
    }

    /** One invocation's share of the work, from the saved cursor to the next slice boundary. */
    private final class Slice {
        private final JobRecord job;
        private final String jobId;
        private final int partNumber;
        private final String bucket;
        private final String prefix;
        private final Instant deadline;
        private final ProviderBatch batch;
        private final Map<String, Integer> inputLines;
        private final List<String> inputIds;
        private final BitSet seen;
        private final List<Future<?>> writes = new ArrayList<>();
        private final List<CloudEvent> pendingEvents = new ArrayList<>();
        private String phase;
        private long cursor;
        private PartOutcome outcome;
        private int written;

        Slice(JobRecord job, PartRecord record, String bucket, String prefix, Instant deadline) {
            this.job = job;
            this.jobId = job.jobId();
            this.partNumber = record.staged().partNumber();
            this.bucket = bucket;
            this.prefix = prefix;
            this.deadline = deadline;
            this.phase = record.finalizePhase();
            this.cursor = record.finalizeCursor();
            this.outcome = record.outcome();
            this.batch = readBatch();
            this.inputIds = new ArrayList<>(record.staged().requests());
            this.inputLines = new HashMap<>(record.staged().requests() * 4 / 3 + 1);
            readInput(record.staged().key());
            this.seen = readSeen();
        }

        /** True when a slice boundary came before the end. */
        boolean run() {
            while (!phase.equals(PHASE_DONE)) {
                boolean finished = switch (phase) {
                    case PHASE_OUTPUT -> split("output.jsonl");
                    case PHASE_ERRORS -> split("errors.jsonl");
                    default -> reportMissing();
                };
                if (!finished) {
                    save();
                    return true;
                }
                phase = switch (phase) {
                    case PHASE_OUTPUT -> PHASE_ERRORS;
                    case PHASE_ERRORS -> PHASE_MISSING;
                    default -> PHASE_DONE;
                };
                cursor = 0;
                save();
            }
            LOG.info("job {} part {} finalized: {}", jobId, partNumber, outcome);
            return false;
        }

        private ProviderBatch readBatch() {
            JsonNode raw = readJson(prefix + "batch.json");
            return new ProviderBatch(raw.path("id").asText(), BatchStatus.normalize(raw.path("status").asText(),
                    providers.profile(job.profile()).statusAliases()), raw.path("status").asText(), null, null, null,
                    null, null, null, errors(raw), Map.of(), (ObjectNode) raw);
        }

        private List<ProviderBatch.BatchError> errors(JsonNode raw) {
            List<ProviderBatch.BatchError> errors = new ArrayList<>();
            JsonNode list = raw.path("errors");
            for (JsonNode error : list.isArray() ? list : list.path("data")) {
                errors.add(new ProviderBatch.BatchError(error.path("code").asText(null),
                        error.path("message").asText(null), error.path("param").asText(null),
                        error.hasNonNull("line") ? error.get("line").asInt() : null));
            }
            return errors;
        }

        private JsonNode readJson(String key) {
            try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(key))) {
                return mapper.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("reading s3://" + bucket + "/" + key, e);
            }
        }

        /** The input's custom_ids by line, so that each reported one can be checked off. */
        private void readInput(String key) {
            try (LineStream lines = new LineStream(s3.getObject(r -> r.bucket(bucket).key(key)), 0, MAX_LINE_BYTES)) {
                byte[] line;
                while ((line = lines.next()) != null) {
                    String customId = customIdOf(line);
                    inputLines.put(customId, inputIds.size());
                    inputIds.add(customId);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading the staged part s3://" + bucket + "/" + key, e);
            }
        }

        private BitSet readSeen() {
            try {
                return BitSet.valueOf(s3.getObjectAsBytes(r -> r.bucket(bucket).key(prefix + "seen.bin"))
                        .asByteArray());
            } catch (NoSuchKeyException first) {
                return new BitSet(inputIds.size());
            }
        }

        /** Splits one copied provider file from the cursor; true when it reached the end. */
        private boolean split(String file) {
            // A slice that ended on the file's last line leaves the cursor at its end.
            if (cursor >= size(prefix + file)) {
                return true;
            }
            String range = "bytes=" + cursor + "-";
            try (LineStream lines = new LineStream(s3.getObject(r -> r.bucket(bucket).key(prefix + file)
                    .range(cursor == 0 ? null : range)), cursor, MAX_LINE_BYTES)) {
                byte[] line;
                while ((line = lines.next()) != null) {
                    if (line.length > 0) {
                        writeReported(line);
                    }
                    cursor = lines.consumed();
                    if (atSliceBoundary()) {
                        return false;
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("reading s3://" + bucket + "/" + prefix + file, e);
            }
        }

        /** The object's size, 0 when there is none (a provider gives no file where nothing went there). */
        private long size(String key) {
            try {
                return s3.headObject(r -> r.bucket(bucket).key(key)).contentLength();
            } catch (NoSuchKeyException absent) {
                return 0;
            }
        }

        private void writeReported(byte[] line) throws IOException {
            JsonNode result = mapper.readTree(line);
            String customId = result.path("custom_id").asText();
            Integer index = inputLines.get(customId);
            if (index == null) {
                LOG.warn("job {} part {}: the provider reported custom_id {} that the part does not hold", jobId,
                        partNumber, RecordKey.of(customId));
                return;
            }
            if (seen.get(index)) {
                return; // reported twice by the provider, or written before a crash: one record is enough
            }
            seen.set(index);
            JsonNode response = result.path("response");
            int status = response.path("status_code").asInt(0);
            boolean succeeded = status / 100 == 2 && (result.path("error").isNull()
                    || result.path("error").isMissingNode());
            String errorCode = succeeded ? null : errorCode(result, response);
            JsonNode usage = response.path("body").path("usage");
            long prompt = usage.path("prompt_tokens").asLong(usage.path("input_tokens").asLong());
            long completion = usage.path("completion_tokens").asLong(usage.path("output_tokens").asLong());
            // Providers list requests they never ran in the error file too, with these codes.
            boolean expired = "batch_expired".equals(errorCode);
            boolean cancelled = "batch_cancelled".equals(errorCode);
            outcome = outcome.plus(new PartOutcome(succeeded ? 1 : 0, succeeded || expired || cancelled ? 0 : 1,
                    expired ? 1 : 0, cancelled ? 1 : 0, 0, prompt, completion,
                    usage.path("total_tokens").asLong(prompt + completion)));
            write(customId, succeeded, line, status == 0 ? null : status, errorCode);
        }

        private String errorCode(JsonNode result, JsonNode response) {
            if (result.path("error").hasNonNull("code")) {
                return result.path("error").path("code").asText();
            }
            JsonNode bodyError = response.path("body").path("error");
            return bodyError.hasNonNull("code") ? bodyError.get("code").asText()
                    : bodyError.path("type").asText("http_" + response.path("status_code").asInt());
        }

        /** Input requests the provider never reported, from the cursor (an input line index). */
        private boolean reportMissing() {
            String code = switch (batch.status()) {
                case EXPIRED -> "batch_expired";
                case CANCELLED -> "batch_cancelled";
                case FAILED -> "batch_failed";
                default -> "missing_from_provider_output";
            };
            for (int index = (int) cursor; index < inputIds.size(); index++) {
                cursor = index + 1;
                if (seen.get(index)) {
                    continue;
                }
                seen.set(index);
                String customId = inputIds.get(index);
                ObjectNode error = mapper.createObjectNode().putNull("id").put("custom_id", customId);
                error.putNull("response");
                ObjectNode detail = error.putObject("error").put("code", code).put("message", missingMessage(code));
                if (!batch.errors().isEmpty()) {
                    detail.set("batch_errors", batch.raw().path("errors"));
                }
                outcome = outcome.plus(new PartOutcome(0, 0, code.equals("batch_expired") ? 1 : 0,
                        code.equals("batch_cancelled") ? 1 : 0,
                        code.equals("batch_expired") || code.equals("batch_cancelled") ? 0 : 1, 0, 0, 0));
                write(customId, false, error.toString().getBytes(StandardCharsets.UTF_8), null, code);
                if (atSliceBoundary()) {
                    return false;
                }
            }
            return true;
        }

        private String missingMessage(String code) {
            return switch (code) {
                case "batch_expired" -> "The provider batch " + batch.id() + " expired before this request ran.";
                case "batch_cancelled" -> "The provider batch " + batch.id() + " was cancelled before this request ran.";
                case "batch_failed" -> "The provider batch " + batch.id() + " failed; see batch_errors.";
                default -> "The provider batch " + batch.id() + " completed without reporting this request.";
            };
        }

        private void write(String customId, boolean succeeded, byte[] content, Integer statusCode, String errorCode) {
            String recordKey = RecordKey.of(customId);
            String key = (succeeded ? "results/" : "errors/") + jobId + "/records/" + recordKey + ".json";
            writes.add(writers.submit(() -> s3.putObject(r -> r.bucket(bucket).key(key)
                    .contentType("application/json"), RequestBody.fromBytes(content))));
            written++;
            if (settings.recordEvents() == RecordEvents.ALL
                    || settings.recordEvents() == RecordEvents.FAILURES && !succeeded) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("jobId", jobId);
                data.put("customId", customId);
                data.put("bucket", bucket);
                data.put("key", key);
                data.put("statusCode", statusCode);
                data.put("errorCode", errorCode);
                String type = succeeded ? "record.succeeded" : "record.failed";
                pendingEvents.add(new CloudEvent("1.0", jobId + "/record/" + recordKey, CloudEvent.SOURCE,
                        CloudEvent.TYPE_PREFIX + type, jobId + "/" + recordKey, clock.instant(), "application/json",
                        data));
            }
        }

        private boolean atSliceBoundary() {
            return written >= settings.sliceRecords()
                    || clock.instant().isAfter(deadline.minus(settings.safetyMargin()));
        }

        /** Records first, then their events, then the cursor: a resumed slice never skips a record. */
        private void save() {
            for (Future<?> write : writes) {
                try {
                    write.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing records", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("writing a record failed: " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            writes.clear();
            events.publishAll(pendingEvents);
            pendingEvents.clear();
            s3.putObject(r -> r.bucket(bucket).key(prefix + "seen.bin"), RequestBody.fromBytes(seen.toByteArray()));
            jobs.saveFinalizeProgress(jobId, partNumber, phase, cursor, outcome);
            written = 0;
        }
    }

    private String customIdOf(byte[] line) throws IOException {
        return mapper.readTree(line).path("custom_id").asText();
    }
}
