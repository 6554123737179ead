package dev.batchline.job;

import java.util.Locale;

/**
 * How far FinalizePart has come with a part. It goes through the phases in order, saving a cursor
 * within each: a byte offset and a line count in the copied provider file, or in the part's ids
 * file for {@link #MISSING}. Stored as the lowercase name.
 */
public enum FinalizePhase {
    /** Finding the request of each line of the provider's output file, a round of lines at a time. */
    RESOLVE_OUTPUT,
    /** Splitting the provider's output file into records. */
    OUTPUT,
    /** Finding the request of each line of the provider's error file. */
    RESOLVE_ERRORS,
    /** Splitting the provider's error file into records. */
    ERRORS,
    /** Writing an error record for each request the provider did not report. */
    MISSING,
    /** Every request of the part has its record. */
    DONE;

    public FinalizePhase next() {
        return this == DONE ? DONE : values()[ordinal() + 1];
    }

    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The phase a stored value names; null for none (finalizing has not started). */
    public static FinalizePhase fromStored(String value) {
        return value == null ? null : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
