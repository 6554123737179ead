package dev.batchline.local.runtime;

import dev.batchline.local.provider.LoopbackOnly;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A loopback proxy in front of one emulator of the long-running local stack, which keeps web
 * pages out: a page can make a browser send requests to a loopback port, directly (with an
 * {@code Origin} header, and only bodies it may send without asking: text, forms, multipart) or
 * through a DNS name it rebinds to the loopback address (with that name as {@code Host}). The
 * emulators cannot be changed, so the stack publishes this proxy's address instead of theirs.
 * A request passes only when addressed to a loopback name, with no {@code Origin} (no SDK or CLI
 * sends one), and with a body its API takes; it goes on unchanged, its {@code Host} included, so
 * a SigV4 signature still holds.
 */
public final class EmulatorGuard implements AutoCloseable {

    /** What an emulator's API takes. */
    public enum Api {
        /** DynamoDB and SQS: JSON POSTs of the AWS JSON protocol, a type no page sends unasked. */
        AWS_JSON,
        /** S3: any method, but none of the bodies a page may POST unasked (S3 takes XML or none). */
        S3
    }

    private static final Set<String> UNASKED_TYPES = Set.of("text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data");
    private static final String AWS_JSON_TYPE = "application/x-amz-json-1.0";

    private final Server server;
    private final URI endpoint;

    private EmulatorGuard(Server server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** A guard on a free loopback port, forwarding what passes to {@code emulator}. */
    public static EmulatorGuard start(URI emulator, Api api) throws Exception {
        Server server = new Server();
        // Header values pass verbatim: the parser's cache would turn "charset=UTF-8" into "charset=utf-8"
        // and break the signature over Content-Type.
        HttpConfiguration http = new HttpConfiguration();
        http.setHeaderCacheCaseSensitive(true);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Guard(api, new Forward(emulator)));
        server.start();
        return new EmulatorGuard(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
    }

    /** Where clients reach the emulator through the guard. */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Why a request is refused, with its status, or empty when it may pass. */
    static Optional<Refusal> check(Api api, String method, String host, String origin, String contentType) {
        Optional<String> foreign = LoopbackOnly.refusal(host, origin, false);
        if (foreign.isPresent()) {
            return Optional.of(new Refusal(LoopbackOnly.FORBIDDEN, foreign.get()));
        }
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (api) {
            case AWS_JSON -> "POST".equals(method) && AWS_JSON_TYPE.equals(type) ? Optional.empty()
                    : Optional.of(new Refusal(415, "this API takes POST " + AWS_JSON_TYPE + ", not " + method + " "
                            + (type.isEmpty() ? "without a type" : type)));
            case S3 -> "POST".equals(method) && UNASKED_TYPES.contains(type)
                    ? Optional.of(new Refusal(415, "S3 takes no " + type + " body")) : Optional.empty();
        };
    }

    record Refusal(int status, String message) {
    }

    private static final class Guard extends Handler.Wrapper {
        private final Api api;

        Guard(Api api, Handler next) {
            super(next);
            this.api = api;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Optional<Refusal> refusal = check(api, request.getMethod(), request.getHeaders().get(HttpHeader.HOST),
                    request.getHeaders().get(HttpHeader.ORIGIN), request.getHeaders().get(HttpHeader.CONTENT_TYPE));
            if (refusal.isPresent()) {
                Response.writeError(request, response, callback, refusal.get().status(), refusal.get().message());
                return true;
            }
            return super.handle(request, response, callback);
        }
    }

    /** Forwards to the emulator as the client sent it: its Host kept (SigV4 signs it), nothing added. */
    private static final class Forward extends ProxyHandler {
        private final URI emulator;

        Forward(URI emulator) {
            this.emulator = emulator;
        }

        @Override
        protected HttpURI rewriteHttpURI(Request request) {
            return HttpURI.build(request.getHttpURI()).scheme(emulator.getScheme()).host(emulator.getHost())
                    .port(emulator.getPort());
        }

        @Override
        protected void configureHttpClient(HttpClient httpClient) {
            super.configureHttpClient(httpClient);
            httpClient.setUserAgentField(null);
        }

        @Override
        protected void addProxyHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServer) {
            // Nothing added: the emulator sees the client's request.
        }
    }
}
