package dev.batchline.finalize;

import java.util.Locale;

/** Which per-record events are sent: every record's, the failures' only, or none. */
public enum RecordEvents {
    ALL, FAILURES, NONE;

    public static RecordEvents parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("record events must be all, failures or none, got \"" + value + "\"",
                    e);
        }
    }
}
