package dev.batchline.finalize;

import java.util.Locale;

/**
 * The error codes Batchline itself writes into error records (the provider's own codes are kept as
 * the provider wrote them). Providers use the first two in their error files too.
 */
public enum PipelineErrorCode {
    /** The batch's completion window ended before the request ran. */
    BATCH_EXPIRED,
    /** The batch was cancelled before the request ran. */
    BATCH_CANCELLED,
    /** The provider failed the whole batch; the record carries its {@code batch_errors}. */
    BATCH_FAILED,
    /** The batch completed without reporting the request in either file. */
    MISSING_FROM_PROVIDER_OUTPUT;

    /** The code as it appears in records and events. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when {@code code} (a provider's or Batchline's) is this one. */
    public boolean is(String code) {
        return code().equals(code);
    }
}
