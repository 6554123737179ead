package dev.batchline.job;

/**
 * What became of a part's requests, and the tokens the provider reported for them.
 *
 * @param missing requests the provider never reported although the batch completed
 */
public record PartOutcome(long succeeded, long failed, long expired, long cancelled, long missing,
        long promptTokens, long completionTokens, long totalTokens) {

    public static final PartOutcome NONE = new PartOutcome(0, 0, 0, 0, 0, 0, 0, 0);

    public long records() {
        return succeeded + failed + expired + cancelled + missing;
    }

    public PartOutcome plus(PartOutcome other) {
        return new PartOutcome(succeeded + other.succeeded, failed + other.failed, expired + other.expired,
                cancelled + other.cancelled, missing + other.missing, promptTokens + other.promptTokens,
                completionTokens + other.completionTokens, totalTokens + other.totalTokens);
    }
}
