package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a local run turns its environment and the ASL into the functions' configuration. */
class LocalPipelineSettingsTest {

    private final ObjectMapper mapper = Json.mapper();

    private static LocalPipeline.Settings settings(String baseProfile, Map<String, String> env) {
        return new LocalPipeline.Settings(null, null, null, EndToEndSupport.RUNNER,
                EndToEndSupport.DEFINITION, baseProfile, Map.of(), env);
    }

    private ProviderProfile local(LocalPipeline.Settings settings) throws Exception {
        JsonNode profiles = LocalPipeline.localProfiles(settings, "http://127.0.0.1:1/v1", mapper);
        return ProviderProfiles.withOverrides(profiles.toString(), mapper).require(LocalPipeline.LOCAL_PROFILE);
    }

    @Test
    void localProfile_extendsTheBaseProfileWithTheUsersOverridesOfIt() throws Exception {
        ProviderProfile local = local(settings("generic", Map.of("BATCHLINE_PROFILES",
                "{\"generic\": {\"maxRequestsPerBatch\": 100, \"maxConcurrentBatches\": 7}}")));

        assertThat(local.maxRequestsPerBatch()).isEqualTo(100);
        assertThat(local.maxConcurrentBatches()).isEqualTo(7);
        assertThat(local.baseUrl()).isEqualTo("http://127.0.0.1:1/v1");
        assertThat(local.initialPollSeconds()).isEqualTo(1);
        assertThat(local.maxPollSeconds()).isEqualTo(3);
    }

    @Test
    void localProfile_takesTheNamedProfilesRulesAndKeepsTheUsersWaits() throws Exception {
        ProviderProfile local = local(settings("openai", Map.of("BATCHLINE_PROFILES",
                "{\"openai\": {\"initialPollSeconds\": 20, \"completionWindow\": \"5m\"}}")));

        assertThat(local.oneModelPerFile()).isTrue();
        assertThat(local.maxRequestsPerBatch()).isEqualTo(ProviderProfiles.OPENAI.maxRequestsPerBatch());
        assertThat(local.initialPollSeconds()).isEqualTo(20);
        assertThat(local.maxPollSeconds()).isEqualTo(ProviderProfiles.OPENAI.maxPollSeconds());
        assertThat(local.completionWindow()).isEqualTo("5m");
    }

    @Test
    void functionEnvironment_passesTheFunctionsVariablesAndNotTheRunsOwn() {
        Map<String, String> functions = LocalPipeline.functionEnvironment(Map.of("BATCHLINE_FINALIZE_SLICE", "5",
                "BATCHLINE_RECORD_EVENTS", "none", "BATCHLINE_API_KEY", "sk-secret", "BATCHLINE_BASE_URL",
                "https://api.example/v1", "BATCHLINE_JAVA_OPTS", "-Xmx1g", "HOME", "/root"));

        assertThat(functions).containsOnlyKeys("BATCHLINE_FINALIZE_SLICE", "BATCHLINE_RECORD_EVENTS");
    }

    @Test
    void taskTimeouts_areEachTasksTimeoutByItsFunctionSubstitution() throws Exception {
        Map<String, Duration> timeouts = LocalStepFunctions.taskTimeouts(Path.of("../../statemachine/batchline.asl.json"));

        assertThat(timeouts).containsOnlyKeys("SubmitBatchFunctionArn", "PollBatchFunctionArn",
                "FinalizePartFunctionArn", "FailPartFunctionArn", "CompleteJobFunctionArn", "FailJobFunctionArn");
        assertThat(timeouts.get("PollBatchFunctionArn")).isEqualTo(Duration.ofSeconds(120));
        assertThat(timeouts.get("FinalizePartFunctionArn")).isEqualTo(Duration.ofSeconds(900));
    }
}
