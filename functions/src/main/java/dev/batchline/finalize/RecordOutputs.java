package dev.batchline.finalize;

import java.util.Locale;

/**
 * Where a job's records go: one S3 object per record (a PUT each, $5 a million), merged files of
 * every result and every error ({@code results/<jobId>/output.jsonl}, {@code errors/<jobId>/errors.jsonl}),
 * or both.
 */
public enum RecordOutputs {
    OBJECTS, MERGED, BOTH;

    public boolean objects() {
        return this != MERGED;
    }

    public boolean merged() {
        return this != OBJECTS;
    }

    public static RecordOutputs parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("record outputs must be objects, merged or both, got \"" + value + "\"",
                    e);
        }
    }
}
