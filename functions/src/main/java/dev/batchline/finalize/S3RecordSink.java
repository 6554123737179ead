package dev.batchline.finalize;

import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.storage.S3Layout;
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
 * One S3 object per record ({@link S3Layout#record}), written in parallel, and a record event per
 * record as {@link RecordEvents} asks; a flush waits for the writes, then sends the events, so an
 * event never names an object that is not there.
 */
public final class S3RecordSink implements RecordSink {

    /** The record objects' shape ({@code x-amz-meta-batchline-schema}): the provider's line, or Batchline's error record. */
    static final Map<String, String> SCHEMA_METADATA = Map.of("batchline-schema", "1");
    /**
     * The custom_id's percent-encoding goes in {@code x-amz-meta-batchline-custom-id} when it fits
     * S3's 2 KB of metadata; a hashed key's record always carries the id in its content.
     */
    static final int MAX_ID_METADATA = 1_800;

    private final S3Client s3;
    private final String bucket;
    private final String jobId;
    private final ExecutorService writers;
    private final EventPublisher events;
    private final RecordEvents recordEvents;
    private final Clock clock;
    private final List<Future<?>> writes = new ArrayList<>();
    private final List<CloudEvent> pendingEvents = new ArrayList<>();

    public S3RecordSink(S3Client s3, String bucket, String jobId, ExecutorService writers, EventPublisher events,
            RecordEvents recordEvents, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.jobId = jobId;
        this.writers = writers;
        this.events = events;
        this.recordEvents = recordEvents;
        this.clock = clock;
    }

    /** Sinks of this kind, one per part. */
    public static RecordSink.Factory factory(S3Client s3, ExecutorService writers, EventPublisher events,
            RecordEvents recordEvents, Clock clock) {
        return (bucket, jobId) -> new S3RecordSink(s3, bucket, jobId, writers, events, recordEvents, clock);
    }

    @Override
    public void write(FinalRecord record) {
        String recordKey = RecordKey.of(record.customId());
        String key = S3Layout.record(jobId, record.succeeded(), recordKey);
        Map<String, String> metadata = new HashMap<>(SCHEMA_METADATA);
        String encodedId = RecordKey.percentEncoded(record.customId());
        if (encodedId.length() <= MAX_ID_METADATA) {
            metadata.put("batchline-custom-id", encodedId);
        }
        writes.add(writers.submit(() -> s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json")
                .metadata(metadata), RequestBody.fromBytes(record.content()))));
        if (recordEvents == RecordEvents.ALL || recordEvents == RecordEvents.FAILURES && !record.succeeded()) {
            pendingEvents.add(CloudEvent.forRecord(jobId, recordKey, record.succeeded(), clock.instant(),
                    record.customId(), bucket, key, record.statusCode(), record.errorCode()));
        }
    }

    @Override
    public void withdrawResult(String customId) {
        String key = S3Layout.record(jobId, true, RecordKey.of(customId));
        writes.add(writers.submit(() -> s3.deleteObject(r -> r.bucket(bucket).key(key))));
    }

    /**
     * Waits for every write, failed ones too, before it answers: no write of this slice may outlive
     * the invocation (and its lease) to land after a later run replaced the record.
     */
    @Override
    public void flush() {
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
        if (!pendingEvents.isEmpty()) {
            events.publishAll(pendingEvents);
            pendingEvents.clear();
        }
    }
}
