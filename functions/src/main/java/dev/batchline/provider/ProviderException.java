package dev.batchline.provider;

/**
 * The provider refused a call for a reason retrying will not change (400, 401, 403, 404, 409...).
 * The message carries the provider's own words, never the API key.
 */
public class ProviderException extends RuntimeException {

    private final int statusCode;
    private final String errorCode;

    public ProviderException(String message, int statusCode, String errorCode) {
        super(message);
        this.statusCode = statusCode;
        this.errorCode = errorCode;
    }

    public ProviderException(String message, int statusCode, String errorCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.errorCode = errorCode;
    }

    /** The HTTP status, or -1 when no response came. */
    public int statusCode() {
        return statusCode;
    }

    /** The provider's {@code error.code}, when it gave one. */
    public String errorCode() {
        return errorCode;
    }
}
