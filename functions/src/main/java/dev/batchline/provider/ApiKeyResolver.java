package dev.batchline.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Turns a profile's {@code apiKeyRef} into the key: a Secrets Manager secret ({@code arn:aws:secretsmanager:...},
 * the secret string or its {@code apiKey} field), an SSM SecureString ({@code ssm:/name}), or an
 * environment variable ({@code env:NAME}, for local runs). Keys are cached per container for a
 * while, so a rotation is picked up without a call per request. Neither keys nor references appear
 * in messages: a misplaced key in {@code apiKeyRef} must not end up in a log.
 */
public final class ApiKeyResolver {

    private record Cached(String value, Instant fetchedAt) {
    }

    private final Supplier<SecretsManagerClient> secrets;
    private final Supplier<SsmClient> ssm;
    private final Function<String, String> environment;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Duration timeToLive;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ApiKeyResolver(Supplier<SecretsManagerClient> secrets, Supplier<SsmClient> ssm,
            Function<String, String> environment, ObjectMapper mapper, Clock clock, Duration timeToLive) {
        this.secrets = secrets;
        this.ssm = ssm;
        this.environment = environment;
        this.mapper = mapper;
        this.clock = clock;
        this.timeToLive = timeToLive;
    }

    /** The key of {@code profile}, or "" when the profile needs none. */
    public String resolve(ProviderProfile profile) {
        String reference = profile.apiKeyRef();
        if (reference.isEmpty()) {
            return "";
        }
        if (reference.startsWith("env:")) {
            String value = environment.apply(reference.substring("env:".length()));
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException("profile " + profile.name() + ": the environment variable its "
                        + "apiKeyRef names is not set");
            }
            return value.strip();
        }
        Cached cached = cache.get(reference);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.fetchedAt().plus(timeToLive))) {
            return cached.value();
        }
        String value = fetch(profile, reference);
        cache.put(reference, new Cached(value, now));
        return value;
    }

    private String fetch(ProviderProfile profile, String reference) {
        if (reference.startsWith("arn:aws:secretsmanager:")) {
            return keyOf(secrets.get().getSecretValue(r -> r.secretId(reference)).secretString());
        }
        if (reference.startsWith("ssm:")) {
            // A parameter written from a file often ends with a newline, which no header may hold.
            return ssm.get().getParameter(r -> r.name(reference.substring("ssm:".length())).withDecryption(true))
                    .parameter().value().strip();
        }
        throw new IllegalArgumentException("profile " + profile.name() + ": apiKeyRef must be a Secrets Manager "
                + "ARN, ssm:/parameter-name or env:VARIABLE (the value is not shown: it may be a key)");
    }

    /** A secret is the key itself, or JSON with an {@code apiKey} (or {@code api_key}) field. */
    private String keyOf(String secret) {
        String trimmed = secret.trim();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode json = mapper.readTree(trimmed);
                for (String field : new String[] {"apiKey", "api_key"}) {
                    if (json.hasNonNull(field)) {
                        return json.get(field).asText().strip();
                    }
                }
            } catch (java.io.IOException notJson) {
                return trimmed;
            }
        }
        return trimmed;
    }
}
