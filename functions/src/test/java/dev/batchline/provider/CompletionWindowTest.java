package dev.batchline.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompletionWindowTest {

    @Test
    void parse_readsEachUnit() {
        assertThat(CompletionWindow.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(CompletionWindow.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CompletionWindow.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(CompletionWindow.parse("2d")).isEqualTo(Duration.ofDays(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "24", "h", "0h", "1.5h", "24H", " 24h", "1w", "-1h"})
    void parse_refusesOtherForms(String window) {
        assertThatThrownBy(() -> CompletionWindow.parse(window)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + window + "\"");
    }

    @Test
    void profile_withAnUnreadableWindow_isRefusedNamingTheProfile() {
        ProviderProfile generic = ProviderProfiles.GENERIC;
        assertThatThrownBy(() -> ProviderProfiles.withOverrides("{\"slow\": {\"completionWindow\": \"1 day\"}}",
                dev.batchline.config.Json.mapper())).hasMessageContaining("slow").hasMessageContaining("1 day");
        assertThat(generic.completionWindow()).isEqualTo("24h");
    }
}
