package dev.batchline.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.config.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;

/** Plain fakes of the SDK's Secrets Manager and SSM interfaces: no emulator serves them here. */
class ApiKeyResolverTest {

    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:openai-AbCdEf";

    private final List<String> secretCalls = new ArrayList<>();
    private final List<GetParameterRequest> parameterCalls = new ArrayList<>();
    private String secretString = "sk-from-secrets";
    private Instant now = Instant.parse("2026-11-23T10:00:00Z");

    private final SecretsManagerClient secrets = new SecretsManagerClient() {
        @Override
        public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
            secretCalls.add(request.secretId());
            return GetSecretValueResponse.builder().secretString(secretString).build();
        }

        @Override
        public String serviceName() {
            return "secretsmanager";
        }

        @Override
        public void close() {
        }
    };

    private final SsmClient ssm = new SsmClient() {
        @Override
        public GetParameterResponse getParameter(GetParameterRequest request) {
            parameterCalls.add(request);
            return GetParameterResponse.builder().parameter(p -> p.name(request.name()).value("sk-from-ssm")).build();
        }

        @Override
        public String serviceName() {
            return "ssm";
        }

        @Override
        public void close() {
        }
    };

    private ApiKeyResolver resolver(Map<String, String> environment) {
        return new ApiKeyResolver(() -> secrets, () -> ssm, environment::get, Json.mapper(),
                new Clock() {
                    @Override
                    public java.time.ZoneId getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        return this;
                    }

                    @Override
                    public Instant instant() {
                        return now;
                    }
                }, Duration.ofMinutes(15));
    }

    private static ProviderProfile withKeyRef(String reference) {
        return ProviderProfiles.withOverrides("{\"openai\": {\"apiKeyRef\": \"" + reference + "\"}}", Json.mapper())
                .require("openai");
    }

    @Test
    void resolve_whenASecretIsNamed_readsItOnceAndAgainAfterItsTimeToLive() {
        ApiKeyResolver resolver = resolver(Map.of());
        ProviderProfile profile = withKeyRef(SECRET_ARN);

        assertThat(resolver.resolve(profile)).isEqualTo("sk-from-secrets");
        secretString = "sk-rotated";
        now = now.plus(Duration.ofMinutes(14));
        assertThat(resolver.resolve(profile)).isEqualTo("sk-from-secrets");
        now = now.plus(Duration.ofMinutes(2));
        assertThat(resolver.resolve(profile)).isEqualTo("sk-rotated");
        assertThat(secretCalls).containsExactly(SECRET_ARN, SECRET_ARN);
    }

    @Test
    void resolve_whenTheSecretIsJson_takesItsApiKeyField() {
        secretString = "{\"apiKey\": \"sk-in-json\", \"note\": \"rotated monthly\"}";

        assertThat(resolver(Map.of()).resolve(withKeyRef(SECRET_ARN))).isEqualTo("sk-in-json");
    }

    @Test
    void resolve_whenAnSsmParameterIsNamed_readsItDecrypted() {
        assertThat(resolver(Map.of()).resolve(withKeyRef("ssm:/batchline/openai"))).isEqualTo("sk-from-ssm");
        assertThat(parameterCalls).singleElement().satisfies(request -> {
            assertThat(request.name()).isEqualTo("/batchline/openai");
            assertThat(request.withDecryption()).isTrue();
        });
    }

    @Test
    void resolve_whenAnEnvironmentVariableIsNamed_readsIt() {
        assertThat(resolver(Map.of("OPENAI_API_KEY", "sk-env")).resolve(withKeyRef("env:OPENAI_API_KEY")))
                .isEqualTo("sk-env");
        // A key pasted with its line end: no header may hold it.
        assertThat(resolver(Map.of("OPENAI_API_KEY", "sk-env\n")).resolve(withKeyRef("env:OPENAI_API_KEY")))
                .isEqualTo("sk-env");
        assertThatThrownBy(() -> resolver(Map.of()).resolve(withKeyRef("env:OPENAI_API_KEY")))
                .hasMessageContaining("not set");
    }

    @Test
    void resolve_whenNoKeyIsNeeded_givesEmpty() {
        assertThat(resolver(Map.of()).resolve(ProviderProfiles.GENERIC)).isEmpty();
    }

    @Test
    void resolve_whenAKeyWasPutWhereTheReferenceGoes_refusesWithoutRepeatingIt() {
        assertThatThrownBy(() -> resolver(Map.of()).resolve(withKeyRef("sk-proj-accidentally-pasted")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("sk-proj-accidentally-pasted")
                .hasMessageContaining("apiKeyRef must be");
    }
}
