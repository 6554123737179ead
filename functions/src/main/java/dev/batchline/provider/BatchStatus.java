package dev.batchline.provider;

import java.util.Locale;
import java.util.Map;

/** A provider batch's status, normalised to the OpenAI set whatever the provider's casing or aliases. */
public enum BatchStatus {
    VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED,
    /** A value the provider sent that Batchline does not know: surfaced, not guessed. */
    UNKNOWN;

    public String wireValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** No further change will come. */
    public boolean isTerminal() {
        return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }

    /**
     * @param aliases the profile's extra names, e.g. {@code queued -> validating}; keys compared
     *                without regard to case
     */
    public static BatchStatus normalize(String raw, Map<String, String> aliases) {
        if (raw == null) {
            return UNKNOWN;
        }
        String value = raw.trim().toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (alias.getKey().equalsIgnoreCase(value)) {
                value = alias.getValue().toLowerCase(Locale.ROOT);
                break;
            }
        }
        for (BatchStatus status : values()) {
            if (status != UNKNOWN && status.wireValue().equals(value)) {
                return status;
            }
        }
        return UNKNOWN;
    }
}
