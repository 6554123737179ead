package dev.batchline.job;

/**
 * What became of a part's requests, the tokens the provider reported for them, and the lines of
 * the provider's files that named no request of the part.
 *
 * @param missing        requests the provider never reported although the batch ended
 * @param unmatchedLines lines of the provider's files that are not JSON, have no custom_id, name one
 *                       the part does not hold, or repeat one already reported; kept aside, never
 *                       a record, and not counted among the requests
 */
public record PartOutcome(long succeeded, long failed, long expired, long cancelled, long missing,
        long promptTokens, long completionTokens, long totalTokens, long unmatchedLines) {

    public static final PartOutcome NONE = new PartOutcome(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** One provider line that named no request of the part. */
    public static final PartOutcome UNMATCHED_LINE = new PartOutcome(0, 0, 0, 0, 0, 0, 0, 0, 1);

    /** One record's share: its outcome counted once, and the tokens it used. */
    public static PartOutcome of(RecordOutcome outcome, long promptTokens, long completionTokens, long totalTokens) {
        return new PartOutcome(outcome == RecordOutcome.SUCCEEDED ? 1 : 0, outcome == RecordOutcome.FAILED ? 1 : 0,
                outcome == RecordOutcome.EXPIRED ? 1 : 0, outcome == RecordOutcome.CANCELLED ? 1 : 0,
                outcome == RecordOutcome.MISSING ? 1 : 0, promptTokens, completionTokens, totalTokens, 0);
    }

    /** Records written: one a request accounted for. */
    public long records() {
        return succeeded + failed + expired + cancelled + missing;
    }

    public PartOutcome plus(PartOutcome other) {
        return new PartOutcome(succeeded + other.succeeded, failed + other.failed, expired + other.expired,
                cancelled + other.cancelled, missing + other.missing, promptTokens + other.promptTokens,
                completionTokens + other.completionTokens, totalTokens + other.totalTokens,
                unmatchedLines + other.unmatchedLines);
    }
}
