package dev.batchline.local.runtime;

import dev.batchline.config.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One function as the local Lambda endpoint calls it: in this JVM ({@link InProcessFunction}) or in
 * a JVM of its own under the runtime interface client ({@link LambdaSandbox}).
 */
public interface LocalFunction extends AutoCloseable {

    /**
     * What one call answered: the function's response, or, when {@code functionError}, its error
     * document ({@code errorType}, {@code errorMessage}) as Lambda's Invoke API returns an unhandled error.
     */
    record Invocation(byte[] payload, boolean functionError) {

        /** An unhandled error as Lambda reports it: the error's type and message. */
        public static Invocation error(String type, String message) {
            Map<String, String> document = new LinkedHashMap<>();
            document.put("errorType", type);
            document.put("errorMessage", String.valueOf(message));
            return new Invocation(Json.write(Json.mapper(), document).getBytes(StandardCharsets.UTF_8), true);
        }
    }

    Invocation invoke(byte[] payload) throws IOException, InterruptedException;

    @Override
    default void close() {
    }
}
