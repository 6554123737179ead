package dev.batchline.local.provider;

import com.sun.net.httpserver.HttpExchange;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps web pages away from the local provider, which can spend an upstream key. A page can make a
 * browser send requests to a loopback port: directly (with an {@code Origin} header and only bodies
 * it may send without asking: text, forms, multipart) or through a DNS name it rebinds to the
 * loopback address (with its own name as {@code Host}). So a request is refused unless it is
 * addressed to a loopback name, carries no foreign {@code Origin}, and has a body of the type its
 * API takes: JSON, or multipart for uploads.
 */
final class BrowserGuard {

    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final Pattern HOST = Pattern.compile("(\\[[^]]*]|[^:]*)(?::\\d+)?");
    private static final Pattern ORIGIN = Pattern.compile("https?://(\\[[^]]*]|[^:/]*)(?::\\d+)?/?");

    private BrowserGuard() {
    }

    /** Why the request is refused, with the status to answer, or empty when it may pass. */
    static Optional<Refusal> check(HttpExchange exchange, String method, String path) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null || !isLoopback(HOST, host)) {
            return Optional.of(new Refusal(403, "Requests must be addressed to a loopback name (127.0.0.1, localhost),"
                    + " not " + host + "."));
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null && !isLoopback(ORIGIN, origin)) {
            return Optional.of(new Refusal(403, "Requests from web pages (Origin " + origin + ") are refused."));
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

    private static boolean isLoopback(Pattern pattern, String value) {
        Matcher matcher = pattern.matcher(value.trim().toLowerCase(Locale.ROOT));
        return matcher.matches() && LOOPBACK_NAMES.contains(matcher.group(1));
    }

    record Refusal(int status, String message) {
    }
}
