package dev.batchline.complete;

import dev.batchline.provider.Spending;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * What the provider charges for a job, from the usage its results report and the profile's batch
 * prices; {@code unpriced} says why there is no total when there is none.
 */
public record ProviderCost(String currency, String model, long promptTokens, long completionTokens,
        BigDecimal inputPerMillion, BigDecimal outputPerMillion, BigDecimal total, String unpriced) {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    static ProviderCost of(Spending spending, String model, Manifest.Usage usage) {
        if (model == null) {
            return new ProviderCost(spending.currency(), null, usage.promptTokens(), usage.completionTokens(), null,
                    null, null, "the job's requests name several models, and usage is not kept per model");
        }
        Optional<Spending.ModelPrice> price = spending.price(model);
        if (price.isEmpty()) {
            return new ProviderCost(spending.currency(), model, usage.promptTokens(), usage.completionTokens(), null,
                    null, null, "the profile's spending.prices has no entry for " + model);
        }
        BigDecimal total = price.get().input().multiply(BigDecimal.valueOf(usage.promptTokens()))
                .add(price.get().output().multiply(BigDecimal.valueOf(usage.completionTokens())))
                .divide(MILLION, 6, RoundingMode.HALF_UP);
        return new ProviderCost(spending.currency(), model, usage.promptTokens(), usage.completionTokens(),
                price.get().input(), price.get().output(), total, null);
    }
}
