package dev.batchline.provider;

import static dev.batchline.provider.Endpoint.CHAT_COMPLETIONS;
import static dev.batchline.provider.Endpoint.COMPLETIONS;
import static dev.batchline.provider.Endpoint.EMBEDDINGS;
import static dev.batchline.provider.Endpoint.MODERATIONS;
import static dev.batchline.provider.Endpoint.RESPONSES;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The provider profiles Batchline knows: the built-in presets, each overridable field by field
 * from configuration, plus any new profile the configuration defines.
 */
public final class ProviderProfiles {

    private static final long MB = 1_000_000L;

    /** Limits from the providers' published batch guides, rounded down where a guide is vague. */
    public static final ProviderProfile OPENAI = new ProviderProfile(
            "openai", "https://api.openai.com/v1", "",
            List.of(CHAT_COMPLETIONS, EMBEDDINGS, RESPONSES, COMPLETIONS, MODERATIONS),
            50_000, 200 * MB, (int) (10 * MB), 5_000_000, 10_000 * MB,
            true, true, "24h", 10, 30, 1.5, 300, "batch", Map.of());

    public static final ProviderProfile OVHCLOUD = new ProviderProfile(
            "ovhcloud", "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", "",
            List.of(CHAT_COMPLETIONS, EMBEDDINGS),
            50_000, 200 * MB, (int) (2 * MB), 5_000_000, 10_000 * MB,
            true, false, "24h", 5, 30, 1.5, 300, "batch", Map.of());

    public static final ProviderProfile NEBIUS = new ProviderProfile(
            "nebius", "https://api.studio.nebius.com/v1", "",
            List.of(CHAT_COMPLETIONS, EMBEDDINGS),
            5_000_000, 10_000 * MB, (int) (10 * MB), 5_000_000, 10_000 * MB,
            true, true, "24h", 5, 30, 1.5, 300, "batch", Map.of());

    /** Any OpenAI-compatible gateway: OpenAI's limits, every endpoint, no one-model rule. */
    public static final ProviderProfile GENERIC = new ProviderProfile(
            "generic", "http://127.0.0.1:8089/v1", "",
            List.of(CHAT_COMPLETIONS, EMBEDDINGS, RESPONSES, COMPLETIONS, MODERATIONS),
            50_000, 200 * MB, (int) (10 * MB), 5_000_000, 10_000 * MB,
            true, false, "24h", 5, 30, 1.5, 300, "batch",
            Map.of("queued", "validating", "running", "in_progress", "succeeded", "completed"));

    private final Map<String, ProviderProfile> byName;

    private ProviderProfiles(Map<String, ProviderProfile> byName) {
        this.byName = Map.copyOf(byName);
    }

    public static ProviderProfiles presets() {
        return new ProviderProfiles(presetMap());
    }

    /**
     * The presets with the given overrides applied. {@code overridesJson} is an object from profile
     * name to the fields to change, e.g. {@code {"openai": {"apiKeyRef": "ssm:/batchline/openai"}}};
     * a name that is not a preset starts from {@code generic}, or from the preset named in its
     * {@code "extends"} field.
     */
    public static ProviderProfiles withOverrides(String overridesJson, ObjectMapper mapper) {
        if (overridesJson == null || overridesJson.isBlank()) {
            return presets();
        }
        Map<String, ProviderProfile> profiles = presetMap();
        JsonNode overrides;
        try {
            overrides = mapper.readTree(overridesJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("profile overrides are not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!overrides.isObject()) {
            throw new IllegalArgumentException("profile overrides must be a JSON object keyed by profile name");
        }
        for (Map.Entry<String, JsonNode> entry : overrides.properties()) {
            String name = entry.getKey();
            if (!entry.getValue().isObject()) {
                throw new IllegalArgumentException("profile overrides: \"" + name + "\" must be an object");
            }
            ObjectNode fields = ((ObjectNode) entry.getValue()).deepCopy();
            JsonNode parentName = fields.remove("extends");
            ProviderProfile base = profiles.containsKey(name) ? profiles.get(name)
                    : profiles.get(parentName == null ? GENERIC.name() : parentName.asText());
            if (base == null) {
                throw new IllegalArgumentException("profile " + name + " extends unknown profile " + parentName);
            }
            ObjectNode merged = mapper.valueToTree(base);
            merged.setAll(fields);
            merged.put("name", name);
            try {
                profiles.put(name, mapper.treeToValue(merged, ProviderProfile.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new IllegalArgumentException("profile " + name + " is invalid: " + rootMessage(e), e);
            }
        }
        return new ProviderProfiles(profiles);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : cause.getMessage();
    }

    private static Map<String, ProviderProfile> presetMap() {
        Map<String, ProviderProfile> map = new LinkedHashMap<>();
        for (ProviderProfile p : List.of(OPENAI, OVHCLOUD, NEBIUS, GENERIC)) {
            map.put(p.name(), p);
        }
        return map;
    }

    public Optional<ProviderProfile> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public ProviderProfile require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown provider profile \"" + name + "\", expected one of " + names()));
    }

    /** The profiles themselves, by name. */
    public List<ProviderProfile> all() {
        return names().stream().map(byName::get).toList();
    }

    public List<String> names() {
        return byName.keySet().stream().sorted().toList();
    }
}
