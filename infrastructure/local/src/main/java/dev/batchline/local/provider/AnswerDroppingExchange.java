package dev.batchline.local.provider;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * A call carried out whose answer never leaves: the request of the exchange it wraps, and a
 * response that goes nowhere. What a fault that acts after the call took effect needs (the client
 * then gets the injected error instead, as when a provider's answer is lost on the way).
 */
final class AnswerDroppingExchange extends HttpExchange {

    private final HttpExchange call;
    private final Headers droppedHeaders = new Headers();

    AnswerDroppingExchange(HttpExchange call) {
        this.call = call;
    }

    @Override
    public Headers getRequestHeaders() {
        return call.getRequestHeaders();
    }

    @Override
    public Headers getResponseHeaders() {
        return droppedHeaders;
    }

    @Override
    public URI getRequestURI() {
        return call.getRequestURI();
    }

    @Override
    public String getRequestMethod() {
        return call.getRequestMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        return call.getHttpContext();
    }

    @Override
    public void close() {
        // the wrapped exchange answers with the injected error
    }

    @Override
    public InputStream getRequestBody() {
        return call.getRequestBody();
    }

    @Override
    public OutputStream getResponseBody() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public void sendResponseHeaders(int status, long length) {
        // dropped
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return call.getRemoteAddress();
    }

    @Override
    public int getResponseCode() {
        return -1;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return call.getLocalAddress();
    }

    @Override
    public String getProtocol() {
        return call.getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return call.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        call.setAttribute(name, value);
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
        call.setStreams(in, out);
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return call.getPrincipal();
    }
}
