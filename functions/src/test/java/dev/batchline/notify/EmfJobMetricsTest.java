package dev.batchline.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EmfJobMetricsTest {

    @Test
    void fromEnvironment_outsideLambda_emitsNothing() {
        assertThat(EmfJobMetrics.fromEnvironment(Map.of("POWERTOOLS_METRICS_NAMESPACE", "Batchline")))
                .isSameAs(JobMetrics.NONE);
    }

    @Test
    void fromEnvironment_inLambdaWithoutANamespace_emitsNothing() {
        assertThat(EmfJobMetrics.fromEnvironment(Map.of("AWS_LAMBDA_FUNCTION_NAME", "Upload")))
                .isSameAs(JobMetrics.NONE);
    }

    @Test
    void fromEnvironment_inLambdaWithANamespace_emitsEmf() {
        assertThat(EmfJobMetrics.fromEnvironment(Map.of("AWS_LAMBDA_FUNCTION_NAME", "PollBatch",
                "POWERTOOLS_METRICS_NAMESPACE", "Batchline", "POWERTOOLS_SERVICE_NAME", "batchline")))
                .isInstanceOf(EmfJobMetrics.class);
    }
}
