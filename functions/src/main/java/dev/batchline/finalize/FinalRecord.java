package dev.batchline.finalize;

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
}
