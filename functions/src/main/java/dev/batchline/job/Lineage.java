package dev.batchline.job;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a job's requests came from: an upload of its own (generation 0), or the failed requests of
 * an earlier job, resubmitted by {@code batchline retry} (generation 1 and up). A retry file says
 * so in its S3 user metadata, so the link survives whatever client uploaded it.
 *
 * @param retryOf the job whose failed requests this one resubmits, or null
 */
public record Lineage(String retryOf, int generation) {

    /** Retries of retries end here: what still fails after this many rounds needs a person. */
    public static final int MAX_GENERATION = 5;
    /** User metadata keys (S3 lowercases them) that carry the lineage on a retry file. */
    public static final String RETRY_OF_METADATA = "batchline-retry-of";
    public static final String GENERATION_METADATA = "batchline-generation";
    public static final Lineage ORIGINAL = new Lineage(null, 0);

    private static final Pattern JOB_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,79}");

    public Lineage {
        if (generation < 0 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("a job's generation is 0 to " + MAX_GENERATION + ", not " + generation);
        }
        if ((retryOf == null) != (generation == 0)) {
            throw new IllegalArgumentException("a retry (generation over 0) names the job it retries, and only a retry does");
        }
    }

    /** The lineage of a retry of a job of this lineage; refused past {@link #MAX_GENERATION}. */
    public Lineage retryOf(String jobId) {
        if (generation >= MAX_GENERATION) {
            throw new IllegalStateException("job " + jobId + " is retry generation " + generation + ", the most "
                    + "there may be; what still fails after " + MAX_GENERATION + " retries needs a look");
        }
        return new Lineage(jobId, generation + 1);
    }

    /** The user metadata a retry file is uploaded with. */
    public Map<String, String> metadata() {
        return retryOf == null ? Map.of()
                : Map.of(RETRY_OF_METADATA, retryOf, GENERATION_METADATA, Integer.toString(generation));
    }

    /**
     * The lineage an uploaded object's user metadata declares; an upload without it, or with
     * values no retry writes, is an original (a stray header must not fail a good file).
     */
    public static Lineage fromMetadata(Map<String, String> metadata) {
        String retryOf = metadata.get(RETRY_OF_METADATA);
        String generation = metadata.get(GENERATION_METADATA);
        if (retryOf == null || generation == null || !JOB_ID.matcher(retryOf).matches()
                || !generation.matches("[1-9]")) {
            return ORIGINAL;
        }
        int value = Integer.parseInt(generation);
        return value > MAX_GENERATION ? ORIGINAL : new Lineage(retryOf, value);
    }
}
