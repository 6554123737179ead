package dev.batchline.local.runtime;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** How the local runtime's small HTTP servers (Invoke, Runtime and Step Functions APIs) answer. */
final class HttpAnswers {

    private HttpAnswers() {
    }

    /** Sends the body whole, with its length (none for an empty one), and closes the response. */
    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
