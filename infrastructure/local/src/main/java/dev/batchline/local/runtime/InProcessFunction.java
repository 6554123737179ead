package dev.batchline.local.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
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
            return Invocation.error(e.getClass().getName(), e.getMessage());
        }
    }
}
