package dev.batchline.job;

/**
 * What became of one request; each request ends with exactly one, and a part's {@link PartOutcome}
 * counts them. Only {@link #SUCCEEDED} records go under {@code results/}; the others are error records.
 */
public enum RecordOutcome {
    /** The provider answered with a 2xx and no error. */
    SUCCEEDED,
    /** The provider answered with an error, or refused the request. */
    FAILED,
    /** The batch's completion window ended before the request ran. */
    EXPIRED,
    /** The batch was cancelled before the request ran. */
    CANCELLED,
    /**
     * No answer came for the request: the provider's batch failed or completed without it, or its
     * part or job failed in Batchline before one came.
     */
    MISSING
}
