package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** How the local provider answers: JSON bodies, and errors in the OpenAI API's shape. */
final class ApiReplies {

    private final ObjectMapper mapper;

    ApiReplies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void error(HttpExchange exchange, int status, String message, String type, String code, String param)
            throws IOException {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode error = root.putObject("error").put("message", message).put("type", type);
        error.put("param", param);
        error.put("code", code);
        json(exchange, status, root);
    }

    void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Reads what is left of the request, so the connection can be reused. */
    static void drain(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
    }
}
