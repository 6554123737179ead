package dev.batchline.provider;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * What a profile's jobs cost and may cost: a price table, and the guard that rejects a job before
 * any provider call when it is over a limit.
 *
 * @param currency               the prices' currency (default USD)
 * @param prices                 by model: input and output per million tokens, at the batch price
 * @param maxRequestsPerJob      the most requests one job may have, or null for no limit
 * @param maxEstimatedCostPerJob the most a job's estimate may be, or null for no limit: the input
 *                               tokens counted with a tokenizer, and each request's output cap
 *                               ({@code max_completion_tokens}, {@code max_tokens}, {@code max_output_tokens}),
 *                               both at the price table's prices
 * @param uncappedOutputTokens   the output a request without a cap is estimated at (default 4,096)
 */
public record Spending(String currency, Map<String, ModelPrice> prices, Long maxRequestsPerJob,
        BigDecimal maxEstimatedCostPerJob, Integer uncappedOutputTokens) {

    public static final Spending NONE = new Spending(null, null, null, null, null);
    static final int DEFAULT_UNCAPPED_OUTPUT_TOKENS = 4096;

    /** A model's batch prices per million tokens. */
    public record ModelPrice(BigDecimal input, BigDecimal output) {
        public ModelPrice {
            if (input == null || output == null || input.signum() < 0 || output.signum() < 0) {
                throw new IllegalArgumentException("a price needs input and output, neither negative");
            }
        }
    }

    public Spending {
        currency = currency == null || currency.isBlank() ? "USD" : currency;
        prices = prices == null ? Map.of() : Map.copyOf(prices);
        uncappedOutputTokens = uncappedOutputTokens == null ? DEFAULT_UNCAPPED_OUTPUT_TOKENS : uncappedOutputTokens;
        if (maxRequestsPerJob != null && maxRequestsPerJob <= 0) {
            throw new IllegalArgumentException("maxRequestsPerJob must be positive, got " + maxRequestsPerJob);
        }
        if (maxEstimatedCostPerJob != null && maxEstimatedCostPerJob.signum() <= 0) {
            throw new IllegalArgumentException("maxEstimatedCostPerJob must be positive, got " + maxEstimatedCostPerJob);
        }
        if (uncappedOutputTokens < 0) {
            throw new IllegalArgumentException("uncappedOutputTokens must not be negative, got " + uncappedOutputTokens);
        }
    }

    public Optional<ModelPrice> price(String model) {
        return Optional.ofNullable(model == null ? null : prices.get(model));
    }

    /** Whether jobs are estimated at ingest: only a cost limit needs the tokens counted. */
    public boolean estimates() {
        return maxEstimatedCostPerJob != null;
    }
}
