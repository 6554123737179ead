package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import dev.batchline.config.Json;
import dev.batchline.provider.Spending;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The spending guard's estimate: tokens counted, caps read, priced from the profile's table. */
class SpendEstimateTest {

    private static final Spending.ModelPrice MINI = new Spending.ModelPrice(new BigDecimal("0.075"),
            new BigDecimal("0.30"));

    /** The part splitter's place: counts what passes on. */
    private static final class Passed implements LineSink {
        int lines;

        @Override
        public int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second) {
            lines++;
            return 1;
        }

        @Override
        public void abandon() {
        }

        @Override
        public int finish() {
            return 1;
        }
    }

    private static void feed(SpendEstimate estimate, String line) throws Exception {
        byte[] bytes = ("xx" + line).getBytes(StandardCharsets.UTF_8);
        estimate.accept(bytes, 2, bytes.length - 2, new char[0], 0, 0, 0);
    }

    @Test
    void countsInputTokensWithTheModelsTokenizer_andOutputAtEachCap_orTheUncappedAllowance() throws Exception {
        Passed next = new Passed();
        Spending spending = new Spending(null, Map.of("gpt-4o-mini", MINI), null, new BigDecimal("10"), 1000);
        SpendEstimate estimate = new SpendEstimate(next, spending, Json.mapper());
        String text = "Classify the support ticket: my invoice shows a double charge.";

        feed(estimate, "{\"custom_id\":\"a\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}}");
        feed(estimate, "{\"custom_id\":\"b\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}]}}");
        feed(estimate, "{\"custom_id\":\"c\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"input\":\"" + text + "\"}}");

        int textTokens = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE)
                .countTokensOrdinary(text);
        SpendEstimate.Report report = estimate.report();
        SpendEstimate.ModelEstimate mini = report.models().get(0);
        assertThat(next.lines).isEqualTo(3);
        assertThat(mini.requests()).isEqualTo(3);
        // Message overhead, the role "user" and the text; the content part's "type" and "text" too.
        assertThat(mini.inputTokens()).isGreaterThanOrEqualTo(3L * textTokens + 2 * SpendEstimate.TOKENS_PER_MESSAGE);
        assertThat(mini.outputTokens()).isEqualTo(50 + 1000);
        assertThat(mini.uncappedRequests()).isEqualTo(1);
        BigDecimal expected = MINI.input().multiply(BigDecimal.valueOf(mini.inputTokens()))
                .add(MINI.output().multiply(BigDecimal.valueOf(1050)))
                .divide(BigDecimal.valueOf(1_000_000), 6, java.math.RoundingMode.HALF_UP);
        assertThat(report.estimatedCost()).isEqualByComparingTo(expected);
        assertThat(report.overLimit()).isNull();
    }

    @Test
    void overTheLimit_saysByHowMuch_andAModelWithoutAPrice_cannotPass() throws Exception {
        Spending tight = new Spending("EUR", Map.of("gpt-4o-mini", MINI), null, new BigDecimal("0.0001"), 4096);
        SpendEstimate estimate = new SpendEstimate(new Passed(), tight, Json.mapper());
        for (int i = 0; i < 100; i++) {
            feed(estimate, "{\"custom_id\":\"r" + i + "\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":"
                    + "\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}}");
        }
        String over = estimate.report().overLimit();
        BigDecimal excess = estimate.report().estimatedCost().subtract(new BigDecimal("0.0001"));
        assertThat(over).contains("over maxEstimatedCostPerJob 0.0001 EUR by " + SpendEstimate.money(excess) + " EUR")
                .contains("100 without a cap, at 4096 each");

        SpendEstimate unknown = new SpendEstimate(new Passed(), tight, Json.mapper());
        feed(unknown, "{\"custom_id\":\"x\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"o3\","
                + "\"max_tokens\":1,\"messages\":[]}}");
        assertThat(unknown.report().overLimit()).contains("no entry for [o3]");
        assertThat(SpendingGuard.overLimit(tight, 1, unknown)).isPresent();
    }

    @Test
    void aCapNoProviderTakes_capsNothing_andEachChoiceMayRunToTheCap() throws Exception {
        Spending spending = new Spending(null, Map.of("gpt-4o-mini", MINI), null, new BigDecimal("1"), 1000);
        SpendEstimate estimate = new SpendEstimate(new Passed(), spending, Json.mapper());

        feed(estimate, "{\"custom_id\":\"neg\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"max_tokens\":-5000000,\"messages\":[]}}");
        feed(estimate, "{\"custom_id\":\"huge\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"max_tokens\":99999999999999999999999,\"messages\":[]}}");
        feed(estimate, "{\"custom_id\":\"n\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"max_tokens\":10,\"n\":3,\"messages\":[]}}");
        feed(estimate, "{\"custom_id\":\"ids\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"gpt-4o-mini\","
                + "\"input\":[101,102,103,104]}}");

        SpendEstimate.ModelEstimate mini = estimate.report().models().get(0);
        assertThat(mini.outputTokens()).isEqualTo(1000 + 1000 + 30);
        assertThat(mini.uncappedRequests()).isEqualTo(2);
        assertThat(mini.inputTokens()).isEqualTo(4);
        assertThat(estimate.report().estimatedCost()).isPositive();
    }

    @Test
    void maxRequestsPerJob_isCheckedWithoutAnEstimate() {
        Spending capped = new Spending(null, null, 1000L, null, null);

        assertThat(capped.estimates()).isFalse();
        assertThat(SpendingGuard.overLimit(capped, 1000, null)).isEmpty();
        assertThat(SpendingGuard.overLimit(capped, 1250, null))
                .isEqualTo(Optional.of("the file has 1250 requests, over the profile's maxRequestsPerJob 1000 by 250"));
    }
}
