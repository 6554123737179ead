package dev.batchline.finalize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.RecordOutcome;

/**
 * What became of one request: the record to keep for it.
 *
 * @param content    the record's JSON: the provider's line as it is, or Batchline's error record
 * @param statusCode the provider's HTTP status for the request, when it answered one
 * @param errorCode  why it did not succeed (the provider's code or a {@link PipelineErrorCode})
 */
public record FinalRecord(String customId, RecordOutcome outcome, byte[] content, Integer statusCode,
        String errorCode) {

    /** Whether the record goes under {@code results/} rather than {@code errors/}. */
    public boolean succeeded() {
        return outcome == RecordOutcome.SUCCEEDED;
    }

    /**
     * The code of a record that did not succeed: its {@code error.code} (Batchline's records and the
     * provider's error-file lines), else the provider's {@code response.body.error} code or type,
     * else {@code http_<status>}.
     */
    public static String errorCodeOf(JsonNode record) {
        if (record.path("error").hasNonNull("code")) {
            return record.path("error").path("code").asText();
        }
        JsonNode response = record.path("response");
        JsonNode bodyError = response.path("body").path("error");
        return bodyError.hasNonNull("code") ? bodyError.get("code").asText()
                : bodyError.path("type").asText("http_" + response.path("status_code").asInt());
    }
}
