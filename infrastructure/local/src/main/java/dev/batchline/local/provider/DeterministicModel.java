package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A stand-in model: the same request always gets the same answer, shaped like the real endpoint's
 * (chat completions, completions, responses, embeddings, moderations), with token counts filled in
 * (one token a word), so everything downstream can be checked exactly.
 */
final class DeterministicModel implements BatchModel {

    private static final long CREATED = 1_767_225_600L; // 2026-01-01: fixed, so answers do not change
    private static final int DEFAULT_DIMENSIONS = 8;

    private final ObjectMapper mapper;

    DeterministicModel(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public ModelAnswer answer(String endpoint, JsonNode body) {
        String model = body.path("model").asText("local-model");
        String digest = digest(body.toString());
        return switch (endpoint) {
            case "/v1/chat/completions" -> new ModelAnswer(200, chat(model, digest, body));
            case "/v1/completions" -> new ModelAnswer(200, completion(model, digest, body));
            case "/v1/responses" -> new ModelAnswer(200, response(model, digest, body));
            case "/v1/embeddings" -> new ModelAnswer(200, embeddings(model, body));
            case "/v1/moderations" -> new ModelAnswer(200, moderation(model, digest, body));
            default -> new ModelAnswer(404, error("unknown endpoint " + endpoint, "invalid_request_error",
                    "unknown_url"));
        };
    }

    ObjectNode error(String message, String type, String code) {
        ObjectNode root = mapper.createObjectNode();
        root.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
        return root;
    }

    private ObjectNode chat(String model, String digest, JsonNode body) {
        StringBuilder prompt = new StringBuilder();
        String lastUser = "";
        for (JsonNode message : body.path("messages")) {
            String content = text(message.path("content"));
            prompt.append(content).append(' ');
            if ("user".equals(message.path("role").asText())) {
                lastUser = content;
            }
        }
        String answer = reply(digest, lastUser);
        ObjectNode root = mapper.createObjectNode().put("id", "chatcmpl-" + digest).put("object", "chat.completion")
                .put("created", CREATED).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        usage(root, "prompt_tokens", "completion_tokens", words(prompt.toString()), words(answer));
        return root;
    }

    private ObjectNode completion(String model, String digest, JsonNode body) {
        String prompt = text(body.path("prompt"));
        String answer = reply(digest, prompt);
        ObjectNode root = mapper.createObjectNode().put("id", "cmpl-" + digest).put("object", "text_completion")
                .put("created", CREATED).put("model", model);
        root.putArray("choices").addObject().put("text", answer).put("index", 0).putNull("logprobs")
                .put("finish_reason", "stop");
        usage(root, "prompt_tokens", "completion_tokens", words(prompt), words(answer));
        return root;
    }

    private ObjectNode response(String model, String digest, JsonNode body) {
        String input = text(body.path("input"));
        String answer = reply(digest, input);
        ObjectNode root = mapper.createObjectNode().put("id", "resp_" + digest).put("object", "response")
                .put("created_at", CREATED).put("status", "completed").put("model", model);
        ObjectNode message = root.putArray("output").addObject().put("type", "message").put("id", "msg_" + digest)
                .put("status", "completed").put("role", "assistant");
        message.putArray("content").addObject().put("type", "output_text").put("text", answer).putArray("annotations");
        usage(root, "input_tokens", "output_tokens", words(input), words(answer));
        return root;
    }

    private ObjectNode embeddings(String model, JsonNode body) {
        JsonNode input = body.path("input");
        int dimensions = body.path("dimensions").asInt(DEFAULT_DIMENSIONS);
        ObjectNode root = mapper.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        long tokens = 0;
        int index = 0;
        for (JsonNode item : input.isArray() ? input : mapper.createArrayNode().add(input)) {
            String text = text(item);
            tokens += words(text);
            ArrayNode vector = data.addObject().put("object", "embedding").put("index", index++).putArray("embedding");
            byte[] seed = digestBytes(text);
            for (int d = 0; d < dimensions; d++) {
                vector.add(Math.round(((seed[d % seed.length] & 0xFF) / 127.5 - 1.0) * 1e6) / 1e6);
            }
        }
        root.put("model", model);
        root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return root;
    }

    private ObjectNode moderation(String model, String digest, JsonNode body) {
        ObjectNode root = mapper.createObjectNode().put("id", "modr-" + digest).put("model", model);
        ObjectNode result = root.putArray("results").addObject().put("flagged", false);
        result.putObject("categories");
        result.putObject("category_scores");
        return root;
    }

    private static void usage(ObjectNode root, String inName, String outName, long in, long out) {
        root.putObject("usage").put(inName, in).put(outName, out).put("total_tokens", in + out);
    }

    private static String reply(String digest, String prompt) {
        String quoted = prompt.length() > 120 ? prompt.substring(0, 120) + "..." : prompt;
        return "Local answer " + digest.substring(0, 8) + " to: " + quoted;
    }

    /** A string, or the text parts of a content array, joined. */
    private static String text(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : node) {
            joined.append(part.isTextual() ? part.asText() : part.path("text").asText("")).append(' ');
        }
        return joined.toString().trim();
    }

    private static long words(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    private static String digest(String text) {
        return HexFormat.of().formatHex(digestBytes(text)).substring(0, 24);
    }

    private static byte[] digestBytes(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
