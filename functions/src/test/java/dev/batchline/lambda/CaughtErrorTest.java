package dev.batchline.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import org.junit.jupiter.api.Test;

/** What a caught error becomes in records, DynamoDB and logs: its message, never a credential. */
class CaughtErrorTest {

    private final ObjectMapper mapper = Json.mapper();

    @Test
    void aLambdaErrorsCause_givesItsMessage_onAwsAsOnTheLocalEngine() {
        String onAws = "{\"errorMessage\":\"upload answered 401\",\"errorType\":\"dev.batchline.provider.ProviderException\","
                + "\"stackTrace\":[\"a.b(C.java:1)\"]}";
        assertThat(new CaughtError("dev.batchline.provider.ProviderException", onAws).describe(mapper))
                .isEqualTo("dev.batchline.provider.ProviderException: upload answered 401");
        assertThat(new CaughtError("java.lang.IllegalStateException",
                "java.lang.IllegalStateException: writing a record failed").describe(mapper))
                .isEqualTo("java.lang.IllegalStateException: writing a record failed");
        assertThat(new CaughtError("States.Timeout", null).describe(mapper)).isEqualTo("States.Timeout");
    }

    @Test
    void anythingThatReadsAsACredential_isMasked() {
        String cause = "{\"errorMessage\":\"invalid header value: \\\"Bearer sk-proj-AbC123xyz789\\n\\\"; key sk-live_0123456789ab\"}";

        String message = new CaughtError("java.lang.IllegalArgumentException", cause).causeMessage(mapper);

        assertThat(message).doesNotContain("AbC123xyz789").doesNotContain("0123456789ab")
                .contains("Bearer ***").contains("sk-***");
    }
}
