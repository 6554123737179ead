package dev.batchline.provider;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** A batch endpoint and the body field a request to it cannot do without. */
public enum Endpoint {
    CHAT_COMPLETIONS("/v1/chat/completions", "messages"),
    EMBEDDINGS("/v1/embeddings", "input"),
    RESPONSES("/v1/responses", "input"),
    COMPLETIONS("/v1/completions", "prompt"),
    MODERATIONS("/v1/moderations", "input");

    private final String path;
    private final String requiredBodyField;

    Endpoint(String path, String requiredBodyField) {
        this.path = path;
        this.requiredBodyField = requiredBodyField;
    }

    @JsonValue
    public String path() {
        return path;
    }

    public String requiredBodyField() {
        return requiredBodyField;
    }

    public static Optional<Endpoint> fromPath(String path) {
        return Arrays.stream(values()).filter(e -> e.path.equals(path)).findFirst();
    }

    @JsonCreator
    static Endpoint ofPath(String path) {
        return fromPath(path).orElseThrow(() -> new IllegalArgumentException(
                "unknown endpoint \"" + path + "\", expected one of "
                        + Arrays.stream(values()).map(Endpoint::path).toList()));
    }
}
