package dev.batchline.local.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.batchline.config.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handler called in this JVM. Each call gets a context whose time runs out after the function's
 * timeout, as Lambda's does; an exception is answered as Lambda answers an unhandled error
 * ({@code errorType} the exception's class name), so the definition's Retry and Catch rules match.
 */
public record InProcessFunction(String name, RequestStreamHandler handler, Duration timeout) implements LocalFunction {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessFunction.class);

    @Override
    public Invocation invoke(byte[] payload) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(payload), output, new LocalContext(name, timeout));
            return new Invocation(output.toByteArray(), false);
        } catch (Exception e) {
            LOG.warn("function {} failed: {}", name, e.toString());
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("errorType", e.getClass().getName());
            error.put("errorMessage", String.valueOf(e.getMessage()));
            return new Invocation(Json.write(Json.mapper(), error).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    true);
        }
    }
}
