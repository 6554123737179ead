package dev.batchline.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.config.Json;
import org.junit.jupiter.api.Test;

class ProviderProfilesTest {

    @Test
    void presets_carryTheLimitsOfTheProvidersGuides() {
        ProviderProfiles profiles = ProviderProfiles.presets();

        assertThat(profiles.names()).containsExactly("generic", "nebius", "openai", "ovhcloud");
        ProviderProfile ovh = profiles.require("ovhcloud");
        assertThat(ovh.maxRequestsPerBatch()).isEqualTo(50_000);
        assertThat(ovh.maxBytesPerBatch()).isEqualTo(200_000_000L);
        assertThat(ovh.maxLineBytes()).isEqualTo(2_000_000);
        ProviderProfile nebius = profiles.require("nebius");
        assertThat(nebius.maxRequestsPerBatch()).isEqualTo(5_000_000);
        assertThat(nebius.maxBytesPerBatch()).isEqualTo(10_000_000_000L);
        assertThat(nebius.endpoints()).containsExactly(Endpoint.CHAT_COMPLETIONS, Endpoint.EMBEDDINGS);
        assertThat(nebius.oneModelPerFile()).isTrue();
        ProviderProfile openai = profiles.require("openai");
        assertThat(openai.maxRequestsPerBatch()).isEqualTo(50_000);
        assertThat(openai.oneModelPerFile()).isTrue();
    }

    @Test
    void withOverrides_whenAPresetIsNamed_changesOnlyTheGivenFields() {
        ProviderProfiles profiles = ProviderProfiles.withOverrides(
                "{\"openai\": {\"apiKeyRef\": \"ssm:/batchline/openai\", \"maxRequestsPerBatch\": 1000}}", Json.mapper());

        ProviderProfile openai = profiles.require("openai");
        assertThat(openai.apiKeyRef()).isEqualTo("ssm:/batchline/openai");
        assertThat(openai.maxRequestsPerBatch()).isEqualTo(1000);
        assertThat(openai.maxBytesPerBatch()).isEqualTo(ProviderProfiles.OPENAI.maxBytesPerBatch());
        assertThat(openai.endpoints()).isEqualTo(ProviderProfiles.OPENAI.endpoints());
    }

    @Test
    void withOverrides_whenANewNameExtendsAPreset_addsAProfileStartingFromIt() {
        ProviderProfiles profiles = ProviderProfiles.withOverrides(
                "{\"gateway\": {\"extends\": \"ovhcloud\", \"baseUrl\": \"https://gw.example/v1\","
                        + " \"endpoints\": [\"/v1/embeddings\"]}}", Json.mapper());

        ProviderProfile gateway = profiles.require("gateway");
        assertThat(gateway.baseUrl()).isEqualTo("https://gw.example/v1");
        assertThat(gateway.endpoints()).containsExactly(Endpoint.EMBEDDINGS);
        assertThat(gateway.maxLineBytes()).isEqualTo(ProviderProfiles.OVHCLOUD.maxLineBytes());
        assertThat(profiles.names()).contains("gateway", "openai");
    }

    @Test
    void withOverrides_whenAFieldIsWrong_namesTheProfileAndTheProblem() {
        assertThatThrownBy(() -> ProviderProfiles.withOverrides("{\"openai\": {\"endpoints\": [\"/v1/images\"]}}",
                Json.mapper()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("profile openai").hasMessageContaining("/v1/images");
        assertThatThrownBy(() -> ProviderProfiles.withOverrides("{\"openai\": {\"maxLineBytes\": -1}}",
                Json.mapper()))
                .hasMessageContaining("maxLineBytes must be positive");
        assertThatThrownBy(() -> ProviderProfiles.withOverrides("[1]", Json.mapper()))
                .hasMessageContaining("keyed by profile name");
        assertThatThrownBy(() -> ProviderProfiles.withOverrides("{\"x\": {\"extends\": \"nope\"}}", Json.mapper()))
                .hasMessageContaining("extends unknown profile");
    }

    @Test
    void require_whenUnknown_listsTheKnownProfiles() {
        assertThatThrownBy(() -> ProviderProfiles.presets().require("azure"))
                .hasMessage("unknown provider profile \"azure\", expected one of [generic, nebius, openai, ovhcloud]");
    }
}
