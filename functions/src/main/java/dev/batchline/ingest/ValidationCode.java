package dev.batchline.ingest;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The problems a batch file can have; the JSON form is the lowercase name, e.g. {@code duplicate_custom_id}. */
public enum ValidationCode {
    INVALID_JSON,
    INVALID_ENCODING,
    BLANK_LINE,
    EMPTY_FILE,
    MISSING_CUSTOM_ID,
    INVALID_CUSTOM_ID,
    DUPLICATE_CUSTOM_ID,
    INVALID_METHOD,
    INVALID_URL,
    MISMATCHED_URL,
    MISSING_BODY,
    MISSING_MODEL,
    MIXED_MODELS,
    STREAM_NOT_SUPPORTED,
    MISSING_REQUIRED_FIELD,
    LINE_TOO_LARGE,
    TOO_MANY_REQUESTS,
    FILE_TOO_LARGE,
    TOO_MANY_PARTS;

    @JsonValue
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
