package dev.batchline.finalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.job.MergedSegment;
import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A slice's records as {@link RecordOutputs} asks: one S3 object per record ({@link S3Layout#record}),
 * written in parallel, and/or the slice's {@link MergedSegments}; and a record event per record as
 * {@link RecordEvents} asks. A flush waits for the writes, then sends the events, so an event never
 * names an object that is not there. An event names the record's object, or without one its
 * segment and line there, and then carries the record itself when it is small.
 */
public final class S3RecordSink implements RecordSink {

    /** The record objects' shape ({@code x-amz-meta-batchline-schema}): the provider's line, or Batchline's error record. */
    static final Map<String, String> SCHEMA_METADATA = Map.of("batchline-schema", "1");
    /**
     * The custom_id's percent-encoding goes in {@code x-amz-meta-batchline-custom-id} when it fits
     * S3's 2 KB of metadata; a hashed key's record always carries the id in its content.
     */
    static final int MAX_ID_METADATA = 1_800;
    /**
     * Records up to this size travel in their event when there is no object of their own: ten such
     * events, escaped to ASCII (a character can take six), stay inside one SQS batch, and a slice's
     * events stay a few tens of megabytes.
     */
    static final int MAX_RECORD_IN_EVENT = 2 * 1024;

    /** What every sink of a service shares. */
    public record Settings(ExecutorService writers, EventPublisher events, RecordEvents recordEvents,
            RecordOutputs recordOutputs, ObjectMapper mapper, Clock clock) {
    }

    private final S3Client s3;
    private final Target target;
    private final Settings settings;
    private final MergedSegments segments;
    private final List<Future<?>> writes = new ArrayList<>();
    private final List<CloudEvent> pendingEvents = new ArrayList<>();

    public S3RecordSink(S3Client s3, Target target, Settings settings) {
        this.s3 = s3;
        this.target = target;
        this.settings = settings;
        this.segments = settings.recordOutputs().merged() ? new MergedSegments(s3, target) : null;
    }

    /** Sinks of this kind, one per part and invocation. */
    public static RecordSink.Factory factory(S3Client s3, Settings settings) {
        return target -> new S3RecordSink(s3, target, settings);
    }

    @Override
    public void write(FinalRecord record) {
        String recordKey = RecordKey.of(record.customId());
        String key = null;
        Long line = null;
        if (settings.recordOutputs().objects()) {
            key = S3Layout.record(target.jobId(), record.succeeded(), recordKey);
            writeObject(key, record);
        }
        if (segments != null) {
            MergedSegments.Place place = segments.append(record.succeeded(), record.content());
            if (key == null) {
                key = place.key();
                line = place.line();
            }
        }
        RecordEvents events = settings.recordEvents();
        if (events == RecordEvents.ALL || events == RecordEvents.FAILURES && !record.succeeded()) {
            pendingEvents.add(CloudEvent.forRecord(target.jobId(), recordKey, record.succeeded(),
                    settings.clock().instant(), record.customId(), target.bucket(), key, line,
                    line == null ? null : small(record.content()), record.statusCode(), record.errorCode()));
        }
    }

    private void writeObject(String key, FinalRecord record) {
        Map<String, String> metadata = new HashMap<>(SCHEMA_METADATA);
        String encodedId = RecordKey.percentEncoded(record.customId());
        if (encodedId.length() <= MAX_ID_METADATA) {
            metadata.put("batchline-custom-id", encodedId);
        }
        writes.add(settings.writers().submit(() -> s3.putObject(r -> r.bucket(target.bucket()).key(key)
                .contentType("application/json").metadata(metadata), RequestBody.fromBytes(record.content()))));
    }

    /** The record as JSON for its event, when it is small; records are JSON lines, so it parses. */
    private JsonNode small(byte[] content) {
        if (content.length > MAX_RECORD_IN_EVENT) {
            return null;
        }
        try {
            return settings.mapper().readTree(content);
        } catch (IOException notJson) {
            return null;
        }
    }

    @Override
    public void withdrawResult(String customId) {
        if (!settings.recordOutputs().objects()) {
            return; // a merged segment of a slice that failed is never committed: nothing to withdraw
        }
        String key = S3Layout.record(target.jobId(), true, RecordKey.of(customId));
        writes.add(settings.writers().submit(() -> s3.deleteObject(r -> r.bucket(target.bucket()).key(key))));
    }

    /**
     * Waits for every write, failed ones too, before it answers: no write of this slice may outlive
     * the invocation (and its lease) to land after a later run replaced the record.
     */
    @Override
    public List<MergedSegment> flush() {
        Throwable failed = null;
        for (Future<?> write : writes) {
            try {
                write.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                writes.forEach(pending -> pending.cancel(true));
                throw new IllegalStateException("interrupted while writing records", e);
            } catch (ExecutionException e) {
                failed = failed == null ? e.getCause() : failed;
            }
        }
        writes.clear();
        if (failed != null) {
            pendingEvents.clear();
            throw new IllegalStateException("writing a record failed: " + failed.getMessage(), failed);
        }
        List<MergedSegment> closed = segments == null ? List.of() : segments.close();
        if (settings.recordOutputs().objects()) {
            // Events name objects that are there now: sent before the checkpoint, a crash sends them again.
            publishPending();
        }
        return closed;
    }

    /**
     * Without objects, events name merged segments, which a slice done again after a crash replaces:
     * they go once the checkpoint listing their segment is saved (a crash between the two loses them).
     */
    @Override
    public void committed() {
        publishPending();
    }

    private void publishPending() {
        if (!pendingEvents.isEmpty()) {
            settings.events().publishAll(pendingEvents);
            pendingEvents.clear();
        }
    }
}
