package dev.batchline.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A CloudEvents 1.0 event in structured JSON mode. The id is deterministic, so a
 * consumer drops the duplicates that at-least-once delivery brings.
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

    /** An event about a job; {@code name} is the part after {@code batchline.}, e.g. {@code job.rejected}. */
    public static CloudEvent forJob(String name, String jobId, Instant time, Object data) {
        return new CloudEvent("1.0", jobId + "/" + name, SOURCE, TYPE_PREFIX + name, jobId, time,
                "application/json", data);
    }
}
