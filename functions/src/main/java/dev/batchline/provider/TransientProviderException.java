package dev.batchline.provider;

import java.time.Duration;

/**
 * The provider did not answer usefully for a reason that may pass (429, 5xx, time-outs, refused
 * connections), and the retries allowed to one call are spent: the caller may try again later.
 */
public class TransientProviderException extends ProviderException {

    private final Duration retryAfter;

    public TransientProviderException(String message, int statusCode, String errorCode, Duration retryAfter,
            Throwable cause) {
        super(message, statusCode, errorCode, cause);
        this.retryAfter = retryAfter;
    }

    /** How long the provider asked to wait (Retry-After), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
