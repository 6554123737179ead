package dev.batchline.ingest;

/**
 * What became of one uploaded object.
 *
 * @param jobId null when the object is not Batchline's input
 */
public record IngestOutcome(String jobId, Result result, String detail) {

    /** The detail of a delivery that found the upload still being read by an earlier one. */
    static final String HELD = "job is VALIDATING";

    /**
     * A duplicate that found an earlier reader still validating the upload: if that reader died,
     * a later delivery takes the job over once its lease ends, so this one may be delivered again.
     */
    public boolean heldByAnotherReader() {
        return result == Result.DUPLICATE && HELD.equals(detail);
    }

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
