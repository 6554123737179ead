package dev.batchline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.batchline.provider.Endpoint;
import dev.batchline.provider.Spending;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a file will cost at most, counted while it is validated: a {@link LineSink} in front of the
 * part splitter that reads each request's model, its input tokens (the text of its
 * {@code messages}, {@code input}, {@code prompt}, {@code instructions} and {@code tools}, with the
 * model's tokenizer or o200k_base) and its output cap times its choices, then prices them from the
 * profile's table.
 */
public final class SpendEstimate implements LineSink {

    /** Tokens a chat message adds beyond its text (role and separators), as OpenAI counts them. */
    static final int TOKENS_PER_MESSAGE = 4;
    private static final List<String> OUTPUT_CAPS = List.of("max_completion_tokens", "max_tokens",
            "max_output_tokens");
    private static final List<String> INPUT_FIELDS = List.of("messages", "input", "prompt", "instructions", "tools");
    /** OpenAI's most choices a request may ask for. */
    private static final long MAX_CHOICES = 128;
    /** Endpoints that answer without generated tokens. */
    private static final java.util.Set<String> NO_OUTPUT = java.util.Set.of(Endpoint.EMBEDDINGS.path(),
            Endpoint.MODERATIONS.path());
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** One model's share of the estimate. */
    public record ModelEstimate(String model, long requests, long inputTokens, long outputTokens,
            long uncappedRequests, BigDecimal cost) {
    }

    /**
     * The estimate, and by how much it is over the profile's limits (empty when within them).
     *
     * @param unpriced  models the price table does not have: a cost limit cannot be checked for them
     * @param overLimit why the estimate is over the profile's cost limit, saying by how much; null within it
     */
    public record Report(String currency, BigDecimal estimatedCost, List<ModelEstimate> models,
            List<String> unpriced, BigDecimal limit, String overLimit) {
    }

    private final LineSink next;
    private final Spending spending;
    private final ObjectMapper mapper;
    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    private final Map<String, Encoding> encodings = new HashMap<>();
    private final Map<String, long[]> byModel = new TreeMap<>();

    public SpendEstimate(LineSink next, Spending spending, ObjectMapper mapper) {
        this.next = next;
        this.spending = spending;
        this.mapper = mapper;
    }

    @Override
    public int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second)
            throws IOException {
        JsonNode request = mapper.readTree(line, offset, length);
        JsonNode body = request.path("body");
        String model = body.path("model").asText("");
        Encoding encoding = encodings.computeIfAbsent(model, name -> registry.getEncodingForModel(name)
                .orElseGet(() -> registry.getEncoding(EncodingType.O200K_BASE)));
        long input = 0;
        for (String field : INPUT_FIELDS) {
            input = saturatedAdd(input, tokens(body.path(field), encoding, "messages".equals(field)));
        }
        long[] counts = byModel.computeIfAbsent(model, name -> new long[4]);
        counts[0]++;
        counts[1] = saturatedAdd(counts[1], input);
        // Each of n choices may run to the cap; a cap no provider takes (negative, huge) caps nothing.
        long choices = Math.max(1, Math.min(MAX_CHOICES, body.path("n").asLong(1)));
        JsonNode cap = OUTPUT_CAPS.stream().map(body::path).filter(JsonNode::isIntegralNumber).findFirst().orElse(null);
        if (cap != null && cap.canConvertToLong() && cap.asLong() >= 0) {
            counts[2] = saturatedAdd(counts[2], saturatedMultiply(cap.asLong(), choices));
        } else if (!NO_OUTPUT.contains(request.path("url").asText())) {
            counts[2] = saturatedAdd(counts[2], saturatedMultiply(spending.uncappedOutputTokens(), choices));
            counts[3]++;
        }
        return next.accept(line, offset, length, id, idLength, first, second);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }

    /**
     * The tokens of an input: text through the tokenizer, a token id given as a number as one token
     * (embeddings take arrays of ids), and every text of structured content (tool definitions,
     * content parts) counted, so nothing a request sends is free in the estimate.
     */
    private static long tokens(JsonNode node, Encoding encoding, boolean messages) {
        if (node.isTextual()) {
            return encoding.countTokensOrdinary(node.asText());
        }
        if (node.isNumber()) {
            return 1;
        }
        long tokens = 0;
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                tokens = saturatedAdd(tokens, tokens(child, encoding, false) + (messages ? TOKENS_PER_MESSAGE : 0));
            }
        }
        return tokens;
    }

    @Override
    public void abandon() throws IOException {
        next.abandon();
    }

    @Override
    public int finish() throws IOException {
        return next.finish();
    }

    /** The estimate so far, and whether it is over the profile's cost limit. */
    public Report report() {
        List<ModelEstimate> models = new java.util.ArrayList<>();
        List<String> unpriced = new java.util.ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, long[]> entry : byModel.entrySet()) {
            long[] counts = entry.getValue();
            Optional<Spending.ModelPrice> price = spending.price(entry.getKey());
            BigDecimal cost = price.map(p -> p.input().multiply(BigDecimal.valueOf(counts[1]))
                    .add(p.output().multiply(BigDecimal.valueOf(counts[2])))
                    .divide(MILLION, 6, RoundingMode.HALF_UP)).orElse(null);
            if (cost == null) {
                unpriced.add(entry.getKey());
            } else {
                total = total.add(cost);
            }
            models.add(new ModelEstimate(entry.getKey(), counts[0], counts[1], counts[2], counts[3], cost));
        }
        BigDecimal limit = spending.maxEstimatedCostPerJob();
        String over = null;
        if (limit != null && !unpriced.isEmpty()) {
            over = ("the profile's prices have no entry for " + unpriced + ", so the job's cost cannot be "
                    + "held to maxEstimatedCostPerJob " + plain(limit) + " " + spending.currency());
        } else if (limit != null && total.compareTo(limit) > 0) {
            over = ("the estimated cost " + money(total) + " " + spending.currency()
                    + " is over maxEstimatedCostPerJob " + plain(limit) + " " + spending.currency() + " by "
                    + money(total.subtract(limit)) + " " + spending.currency() + " (" + summary(models) + ")");
        }
        return new Report(spending.currency(), total, List.copyOf(models), List.copyOf(unpriced), limit, over);
    }

    private String summary(List<ModelEstimate> models) {
        StringBuilder text = new StringBuilder();
        for (ModelEstimate model : models) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append(model.model()).append(": ").append(model.requests()).append(" requests, ")
                    .append(model.inputTokens()).append(" input tokens counted, ").append(model.outputTokens())
                    .append(" output tokens at most");
            if (model.uncappedRequests() > 0) {
                text.append(" (").append(model.uncappedRequests()).append(" without a cap, at ")
                        .append(spending.uncappedOutputTokens()).append(" each)");
            }
        }
        return text.toString();
    }

    /** A limit as it was written: 0.0001, not 0.00010. */
    public static String plain(BigDecimal amount) {
        return amount.stripTrailingZeros().toPlainString();
    }

    /** An amount to four decimals, rounded up: a cent's fraction of an estimate still shows. */
    public static String money(BigDecimal amount) {
        return amount.setScale(4, RoundingMode.UP).toPlainString();
    }
}
