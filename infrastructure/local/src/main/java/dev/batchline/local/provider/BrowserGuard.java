package dev.batchline.local.provider;

import com.sun.net.httpserver.HttpExchange;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps web pages away from the local provider, which can spend an upstream key. A page can make a
 * browser send requests to a loopback port: directly (with an {@code Origin} header and only bodies
 * it may send without asking: text, forms, multipart) or through a DNS name it rebinds to the
 * loopback address (with its own name as {@code Host}). So a request is refused unless it is
 * addressed to a loopback name, carries no foreign {@code Origin}, and has a body of the type its
 * API takes: JSON, or multipart for uploads.
 */
final class BrowserGuard {

    private BrowserGuard() {
    }

    /** Why the request is refused, with the status to answer, or empty when it may pass. */
    static Optional<Refusal> check(HttpExchange exchange, String method, String path) {
        Optional<String> foreign = LoopbackOnly.refusal(exchange.getRequestHeaders().getFirst("Host"),
                exchange.getRequestHeaders().getFirst("Origin"), true);
        if (foreign.isPresent()) {
            return Optional.of(new Refusal(LoopbackOnly.FORBIDDEN, foreign.get()));
        }
        if (!method.equals("POST")) {
            return Optional.empty();
        }
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("")
                .toLowerCase(Locale.ROOT);
        boolean upload = path.equals("/v1/files");
        boolean accepted = upload ? type.startsWith("multipart/form-data") : type.isEmpty() && !hasBody(exchange)
                || type.startsWith("application/json");
        return accepted ? Optional.empty() : Optional.of(new Refusal(415, "POST " + path + " takes "
                + (upload ? "multipart/form-data" : "application/json") + ", not " + (type.isEmpty() ? "no type" : type)
                + "."));
    }

    private static boolean hasBody(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        return exchange.getRequestHeaders().containsKey("Transfer-Encoding") || length != null && !length.equals("0");
    }

    record Refusal(int status, String message) {
    }
}
