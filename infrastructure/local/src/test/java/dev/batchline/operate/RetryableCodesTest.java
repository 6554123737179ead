package dev.batchline.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.config.Json;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which error records a retry resubmits. */
class RetryableCodesTest {

    private static JsonNode batchline(String code) throws Exception {
        return Json.mapper().readTree("{\"id\":null,\"custom_id\":\"a\",\"response\":null,\"error\":{\"code\":\""
                + code + "\",\"message\":\"m\"}}");
    }

    private static JsonNode provider(int status, String code) throws Exception {
        return Json.mapper().readTree("{\"id\":\"r\",\"custom_id\":\"a\",\"response\":{\"status_code\":" + status
                + ",\"body\":{\"error\":{\"code\":\"" + code + "\",\"type\":\"t\"}}},\"error\":null}");
    }

    @Test
    void byDefault_retriesWhatASecondTryMayChange_neverTheCallersOwn4xxNorACancel() throws Exception {
        RetryableCodes codes = RetryableCodes.byDefault();

        for (String code : Set.of("batch_expired", "batch_timed_out", "missing_from_provider_output", "part_failed",
                "provider_output_unavailable", "job_failed")) {
            assertThat(codes.retries(batchline(code))).as(code).isTrue();
        }
        assertThat(codes.retries(provider(429, "rate_limit_exceeded"))).isTrue();
        assertThat(codes.retries(provider(503, "server_error"))).isTrue();
        assertThat(codes.retries(provider(400, "invalid_request"))).isFalse();
        assertThat(codes.retries(provider(404, "model_not_found"))).isFalse();
        assertThat(codes.retries(batchline("batch_cancelled"))).isFalse();
        assertThat(codes.retries(batchline("batch_failed"))).isFalse();
    }

    @Test
    void namedCodes_retryExactlyThose() throws Exception {
        RetryableCodes codes = new RetryableCodes(Set.of("batch_cancelled", "invalid_request"));

        assertThat(codes.retries(batchline("batch_cancelled"))).isTrue();
        assertThat(codes.retries(provider(400, "invalid_request"))).isTrue();
        assertThat(codes.retries(batchline("batch_expired"))).isFalse();
        assertThat(codes.retries(provider(503, "server_error"))).isFalse();
    }
}
