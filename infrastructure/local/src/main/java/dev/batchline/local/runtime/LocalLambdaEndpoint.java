package dev.batchline.local.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.batchline.config.Json;
import dev.batchline.local.provider.LoopbackOnly;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations}) on a loopback port,
 * in front of Batchline's functions: what the local state machine engine's Task states call. A
 * function's error is answered as Lambda answers an unhandled one (the {@code X-Amz-Function-Error}
 * header and the error document), so the definition's Retry and Catch rules match as on AWS.
 */
public final class LocalLambdaEndpoint implements AutoCloseable {

    public static final String ACCOUNT = "000000000000";
    public static final String REGION = "us-east-1";
    private static final Logger LOG = LoggerFactory.getLogger(LocalLambdaEndpoint.class);
    private static final Pattern INVOKE = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, LocalFunction> functions;

    private LocalLambdaEndpoint(HttpServer server, ExecutorService executor, Map<String, LocalFunction> functions) {
        this.server = server;
        this.executor = executor;
        this.functions = functions;
    }

    /** Serves the given functions by name on a free port; closing the endpoint closes them. */
    public static LocalLambdaEndpoint start(Map<String, LocalFunction> functions) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
            Thread thread = new Thread(r, "local-lambda");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        LocalLambdaEndpoint endpoint = new LocalLambdaEndpoint(server, executor, new LinkedHashMap<>(functions));
        server.createContext("/", endpoint::invoke);
        server.start();
        return endpoint;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public static String arn(String functionName) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + functionName;
    }

    private void invoke(HttpExchange exchange) throws IOException {
        try (exchange) {
            // Only the state machine engine on this machine invokes; a web page must not reach the functions.
            Optional<String> foreign = LoopbackOnly.refusal(exchange.getRequestHeaders().getFirst("Host"),
                    exchange.getRequestHeaders().getFirst("Origin"), false);
            if (foreign.isPresent()) {
                exchange.getRequestBody().readAllBytes();
                respond(exchange, LoopbackOnly.FORBIDDEN, Map.of("Type", "User", "message", foreign.get()));
                return;
            }
            Matcher matcher = INVOKE.matcher(exchange.getRequestURI().getPath());
            byte[] payload = exchange.getRequestBody().readAllBytes();
            String name = matcher.matches() ? functionName(matcher.group(1)) : null;
            LocalFunction function = name == null ? null : functions.get(name);
            if (function == null) {
                respond(exchange, 404, Map.of("Type", "User", "message", "Function not found: "
                        + exchange.getRequestURI().getPath()));
                return;
            }
            LocalFunction.Invocation invocation;
            try {
                invocation = function.invoke(payload);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                respond(exchange, 500, Map.of("Type", "Service", "message", "interrupted"));
                return;
            }
            if (invocation.functionError()) {
                exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
            }
            HttpAnswers.send(exchange, 200, "application/json", invocation.payload());
        }
    }

    /** A name, or an ARN with or without a qualifier. */
    private static String functionName(String raw) {
        String name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        int function = name.indexOf(":function:");
        if (function >= 0) {
            name = name.substring(function + ":function:".length());
        }
        int qualifier = name.indexOf(':');
        return qualifier < 0 ? name : name.substring(0, qualifier);
    }

    private static void respond(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        HttpAnswers.send(exchange, status, "application/json",
                Json.write(Json.mapper(), body).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        functions.values().forEach(LocalFunction::close);
    }
}
