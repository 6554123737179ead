package dev.batchline.complete;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchline.provider.Spending;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest's costs: the provider's from usage and prices, AWS's item by item. */
class CostTest {

    @Test
    void providerCost_pricesTheUsage_orSaysWhyItCannot() {
        Spending spending = new Spending(null, Map.of("gpt-4o-mini", new Spending.ModelPrice(new BigDecimal("0.075"),
                new BigDecimal("0.30"))), null, null, null);
        Manifest.Usage usage = new Manifest.Usage(2_000_000, 500_000, 2_500_000);

        ProviderCost priced = ProviderCost.of(spending, "gpt-4o-mini", usage);
        ProviderCost unknown = ProviderCost.of(spending, "o3", usage);
        ProviderCost mixed = ProviderCost.of(spending, null, usage);

        assertThat(priced.total()).isEqualByComparingTo("0.30");
        assertThat(priced.currency()).isEqualTo("USD");
        assertThat(unknown.total()).isNull();
        assertThat(unknown.unpriced()).contains("no entry for o3");
        assertThat(mixed.unpriced()).contains("several models");
    }

    @Test
    void awsEstimate_itemisesEachServiceAtItsUnitPrice_andAddsThemUp() {
        AwsCostEstimate estimate = AwsCostEstimate.of(new AwsCostEstimate.Use(1_000, 1024L * 1000 * 3600, 1_000_000,
                1_000_000, 40_000));

        assertThat(estimate.items()).extracting(AwsCostEstimate.Item::item).containsExactly("Lambda requests",
                "Lambda compute", "S3 PUT, COPY, POST, LIST requests", "SQS messages",
                "Step Functions state transitions");
        assertThat(estimate.items().get(1).quantity()).isEqualByComparingTo("3600");
        assertThat(estimate.items().get(2).cost()).isEqualByComparingTo("5.00");
        assertThat(estimate.items().get(3).cost()).isEqualByComparingTo("0.40");
        assertThat(estimate.items().get(4).cost()).isEqualByComparingTo("1.00");
        assertThat(estimate.total()).isEqualByComparingTo(estimate.items().stream().map(AwsCostEstimate.Item::cost)
                .reduce(BigDecimal.ZERO, BigDecimal::add));
    }
}
