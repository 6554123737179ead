package dev.batchline.local.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A function for {@link LambdaSandboxTest}, run under the runtime interface client from the test
 * classes as its task root: it does what its event says ("fail", "exit", "hang"), else echoes it.
 */
public final class SandboxProbe implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        String event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        switch (event) {
            case "\"fail\"" -> throw new IllegalStateException("the probe fails as asked");
            case "\"exit\"" -> Runtime.getRuntime().halt(3);
            case "\"hang\"" -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            default -> out.write(("{\"echo\":" + event + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A function whose initialisation fails: the runtime reports it through {@code init/error}. */
    public static final class Broken implements RequestStreamHandler {

        public Broken() {
            throw new IllegalStateException("the probe cannot start");
        }

        @Override
        public void handleRequest(InputStream in, OutputStream out, Context context) {
        }
    }
}
