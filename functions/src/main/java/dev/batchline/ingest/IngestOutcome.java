package dev.batchline.ingest;

/**
 * What became of one uploaded object.
 *
 * @param jobId null when the object is not Batchline's input
 */
public record IngestOutcome(String jobId, Result result, String detail) {

    public enum Result {
        /** Not under {@code inbox/} or not {@code .jsonl}: left alone. */
        IGNORED,
        /** Another delivery of an upload that has (or is being given) its job. */
        DUPLICATE,
        /** Parts staged and the workflow started. */
        SUBMITTED,
        /** Refused with a report and an event. */
        REJECTED
    }
}
