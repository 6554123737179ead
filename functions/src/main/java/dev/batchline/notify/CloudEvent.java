package dev.batchline.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A CloudEvents 1.0 event in structured JSON mode, built only by the factories below. The id is
 * deterministic, so a consumer drops the duplicates that at-least-once delivery brings. (The
 * CloudEvents Java SDK would write the same JSON, but wants data as bytes and brings three more jars
 * to every function's cold start.)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        Object data) {

    public static final String SOURCE = "/batchline";
    public static final String TYPE_PREFIX = "batchline.";

    /**
     * What a record event's {@code data} holds.
     *
     * @param key    the record's object, or without one (merged output only) the merged segment holding it
     * @param line   the record's line in {@code key} (from 1) when that is a merged segment
     * @param record the record itself, with {@code line}, when it is small
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RecordData(int schemaVersion, String jobId, String customId, String bucket, String key,
            Long line, JsonNode record, Integer statusCode, String errorCode) {
    }

    /** The shape of every event's data; a later version only adds fields. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * An event about one request's record: {@code batchline.record.succeeded} or
     * {@code batchline.record.failed}, its id {@code <jobId>/record/<recordKey>}.
     */
    public static CloudEvent forRecord(String jobId, String recordKey, boolean succeeded, Instant time,
            String customId, String bucket, String key, Long line, JsonNode record, Integer statusCode,
            String errorCode) {
        String name = succeeded ? "record.succeeded" : "record.failed";
        return new CloudEvent("1.0", jobId + "/record/" + recordKey, SOURCE, TYPE_PREFIX + name,
                jobId + "/" + recordKey, time, "application/json",
                new RecordData(SCHEMA_VERSION, jobId, customId, bucket, key, line, record, statusCode, errorCode));
    }

    /** An event about a job; {@code name} is the part after {@code batchline.}, e.g. {@code job.rejected}. */
    public static CloudEvent forJob(String name, String jobId, Instant time, Object data) {
        return new CloudEvent("1.0", jobId + "/" + name, SOURCE, TYPE_PREFIX + name, jobId, time,
                "application/json", data);
    }
}
