package dev.batchline.local.runtime;

import java.io.IOException;

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
    }

    Invocation invoke(byte[] payload) throws IOException, InterruptedException;

    @Override
    default void close() {
    }
}
