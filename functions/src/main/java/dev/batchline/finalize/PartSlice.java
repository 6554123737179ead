package dev.batchline.finalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.ids.PartIndex;
import dev.batchline.job.FinalizeCursor;
import dev.batchline.job.FinalizePhase;
import dev.batchline.job.MergedSegment;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.PartRecord;
import dev.batchline.storage.LineStream;
import dev.batchline.storage.ObjectProbe;
import dev.batchline.storage.S3Layout;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One FinalizePart invocation's share of a part, from the saved checkpoint to the next slice
 * boundary ({@code sliceRecords} records, or the deadline less the safety margin). It reads the
 * copied provider files and the part's ids, never its requests: the {@link LineResolver} finds the
 * request of each reported line in rounds, the lines are then split into records with those
 * answers read back in order, and the ids file gives the requests nobody reported. Memory holds a
 * line at a time (a resolving round: about 24 bytes a line of the round) and one bit a request.
 */
final class PartSlice {

    /** The tools a slice works with, the same for every slice of a service. */
    record Tools(S3Client s3, ObjectMapper mapper, FinalizeSettings settings, Clock clock) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PartSlice.class);
    private static final int MAX_LINE_BYTES = 64 * 1024 * 1024;
    /**
     * Slices a part is cut into at most, whatever BATCHLINE_FINALIZE_SLICE says: each checkpoint
     * lists its merged segments on the part's DynamoDB item, which holds 400 KB.
     */
    static final int MAX_SLICES = 1_000;

    private final Tools tools;
    private final String bucket;
    private final String jobId;
    private final int partNumber;
    private final Unreported unreported;
    private final PartIndex index;
    private final LineResolver resolver;
    private final RecordSink sink;
    private final FinalizeCheckpoints checkpoints;
    private final Instant deadline;
    private final BitSet seen;
    private final int sliceRecords;
    private FinalizeCursor cursor;
    private FinalizePhase phase;
    private long offset;
    private long line;
    private PartOutcome outcome;
    private int written;
    private S3ObjectOutputStream unmatched;

    PartSlice(Tools tools, String bucket, String jobId, PartRecord record, Unreported unreported, PartIndex index,
            RecordSink sink, FinalizeCheckpoints checkpoints, Instant deadline) {
        this.tools = tools;
        this.bucket = bucket;
        this.jobId = jobId;
        this.partNumber = record.staged().partNumber();
        this.unreported = unreported;
        this.index = index;
        this.resolver = new LineResolver(tools.s3(), tools.mapper().getFactory(), bucket);
        this.sink = sink;
        this.checkpoints = checkpoints;
        this.deadline = deadline;
        this.cursor = record.finalizeCursor();
        this.phase = record.finalizePhase();
        this.offset = cursor.offset();
        this.line = cursor.line();
        this.outcome = record.outcome();
        this.seen = checkpoints.seen(cursor);
        this.sliceRecords = Math.max(tools.settings().sliceRecords(),
                (record.staged().requests() + MAX_SLICES - 1) / MAX_SLICES);
    }

    /** True when a slice boundary came before the part's end. */
    boolean run() {
        while (phase != FinalizePhase.DONE) {
            boolean finished = switch (phase) {
                case RESOLVE_OUTPUT -> resolve(S3Layout.providerOutput(jobId, partNumber));
                case OUTPUT -> splitReported(S3Layout.providerOutput(jobId, partNumber));
                case RESOLVE_ERRORS -> resolve(S3Layout.providerErrors(jobId, partNumber));
                case ERRORS -> splitReported(S3Layout.providerErrors(jobId, partNumber));
                case MISSING, DONE -> reportMissing();
            };
            if (!finished) {
                save();
                return true;
            }
            phase = phase.next();
            offset = 0;
            line = 0;
            save();
        }
        LOG.info("job {} part {} finalized: {}", jobId, partNumber, outcome);
        return false;
    }

    /** Records and unmatched lines, then the checkpoint that counts them: a resumed slice never skips one. */
    private void save() {
        List<MergedSegment> segments = sink.flush();
        if (unmatched != null) {
            try {
                unmatched.close();
            } catch (IOException e) {
                throw new UncheckedIOException("writing the unmatched lines of job " + jobId + " part " + partNumber,
                        e);
            }
            unmatched = null;
        }
        cursor = checkpoints.save(cursor, phase, offset, line, seen, outcome, segments);
        sink.committed();
        written = 0;
    }

    /** Resolves the file's lines from the cursor, a round at a time; true when it reached the end. */
    private boolean resolve(String key) {
        while (true) {
            try (LineStream lines = from(key)) {
                if (lines == null) {
                    return true;
                }
                long first = line;
                resolver.resolveRound(key, lines, first, index);
                offset = lines.consumed();
                line = first + lines.returned();
            } catch (IOException e) {
                throw new UncheckedIOException("reading s3://" + bucket + "/" + key, e);
            }
            save();
            if (atSliceBoundary()) {
                return false;
            }
        }
    }

    /** Splits one copied provider file from the cursor into records; true when it reached the end. */
    private boolean splitReported(String key) {
        try (LineStream lines = from(key); LineResolver.Answers answers = resolver.new Answers(key, line)) {
            if (lines == null) {
                return true;
            }
            byte[] next;
            while ((next = lines.next()) != null) {
                int requestLine = answers.next();
                if (next.length > 0) {
                    keep(next, requestLine);
                }
                offset = lines.consumed();
                line++;
                if (atSliceBoundary()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + key, e);
        }
    }

    /** The line's record, when it is the first report of a request of the part; else the line is kept aside. */
    private void keep(byte[] line, int requestLine) throws IOException {
        ReportedLine reported;
        try {
            reported = ReportedLine.parse(line, tools.mapper());
        } catch (JsonProcessingException notJson) {
            keepAside(line, "a line that is not JSON");
            return;
        }
        if (requestLine < 0) {
            keepAside(line, reported.customId().isEmpty() ? "a line without a custom_id"
                    : "custom_id " + RecordKey.of(reported.customId()) + ", which the part does not hold");
            return;
        }
        if (seen.get(requestLine)) {
            // A crash after a write resumes from the checkpoint before it, whose bitmap does not have it:
            // a request seen here was reported twice by the provider.
            keepAside(line, "custom_id " + RecordKey.of(reported.customId()) + " reported again");
            return;
        }
        seen.set(requestLine);
        outcome = outcome.plus(reported.outcome());
        sink.write(reported.record());
        written++;
    }

    /**
     * A provider line that names no request of the part to account for: kept as it is, with the
     * slice's other such lines, and counted; it never becomes a record nor fails the part.
     */
    private void keepAside(byte[] line, String why) throws IOException {
        LOG.warn("job {} part {}: kept aside {}", jobId, partNumber, why);
        if (unmatched == null) {
            unmatched = new S3ObjectOutputStream(tools.s3(), bucket, S3Layout.unmatchedLines(jobId, partNumber,
                    cursor.checkpoint() + 1), "application/jsonl", S3ObjectOutputStream.MIN_PART_BYTES);
        }
        unmatched.write(line);
        unmatched.write('\n');
        outcome = outcome.plus(PartOutcome.UNMATCHED_LINE);
        written++;
    }

    /** Requests without a record (the provider never reported them, or their part failed), from the ids file's cursor. */
    private boolean reportMissing() {
        PipelineErrorCode code = unreported.code();
        String key = S3Layout.partIds(jobId, partNumber);
        try (LineStream ids = from(key)) {
            if (ids == null) {
                return true;
            }
            byte[] id;
            while ((id = ids.next()) != null) {
                int requestLine = Math.toIntExact(line);
                line++;
                offset = ids.consumed();
                if (seen.get(requestLine)) {
                    continue;
                }
                seen.set(requestLine);
                String customId = tools.mapper().readValue(id, String.class);
                outcome = outcome.plus(PartOutcome.of(code.outcome(), 0, 0, 0));
                if (unreported.withdrawResults()) {
                    sink.withdrawResult(customId);
                }
                sink.write(new FinalRecord(customId, code.outcome(), errorRecord(customId), null, code.code()));
                written++;
                if (atSliceBoundary()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + key, e);
        }
    }

    private byte[] errorRecord(String customId) {
        ObjectNode error = tools.mapper().createObjectNode().putNull("id").put("custom_id", customId);
        error.putNull("response");
        ObjectNode detail = error.putObject("error").put("code", unreported.code().code())
                .put("message", unreported.message());
        if (unreported.batchErrors() != null) {
            detail.set("batch_errors", unreported.batchErrors());
        }
        return error.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The object's lines from the cursor, or null when there are none left: no object (a provider
     * gives no file where nothing went there), or the cursor at its end (S3 refuses a range there).
     */
    private LineStream from(String key) {
        OptionalLong size = ObjectProbe.size(tools.s3(), bucket, key);
        if (size.isEmpty() || offset >= size.getAsLong()) {
            return null;
        }
        InputStream in = tools.s3().getObject(r -> r.bucket(bucket).key(key)
                .range(offset == 0 ? null : "bytes=" + offset + "-"));
        return new LineStream(in, offset, MAX_LINE_BYTES);
    }

    private boolean atSliceBoundary() {
        return written >= sliceRecords
                || tools.clock().instant().isAfter(deadline.minus(tools.settings().safetyMargin()));
    }
}
