package dev.batchline.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.batchline.job.SourceObject;
import java.time.Instant;

/**
 * What {@code rejected/<jobId>/report.json} holds: why the upload was refused and, when its lines
 * were read, the validation report with line-numbered problems.
 *
 * @param reason     {@code invalid_file}, {@code unknown_profile} or {@code source_unavailable}
 * @param validation null when the file was not read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RejectionReport(
        String jobId,
        SourceObject source,
        Instant rejectedAt,
        String reason,
        String message,
        ValidationReport validation) {

    public static final String INVALID_FILE = "invalid_file";
    public static final String UNKNOWN_PROFILE = "unknown_profile";
    public static final String SOURCE_UNAVAILABLE = "source_unavailable";
    /** The profile's spending guard refused the job: too many requests, or an estimate over its cost limit. */
    public static final String OVER_SPENDING_LIMIT = "over_spending_limit";
}
