package dev.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LineageTest {

    @Test
    void aRetryOfARetry_isTheNextGeneration_upToTheBound() {
        Lineage lineage = Lineage.ORIGINAL;
        for (int generation = 1; generation <= Lineage.MAX_GENERATION; generation++) {
            lineage = lineage.retryOf("job-" + generation);
            assertThat(lineage).isEqualTo(new Lineage("job-" + generation, generation));
        }
        Lineage last = lineage;
        assertThatThrownBy(() -> last.retryOf("job-6")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("generation " + Lineage.MAX_GENERATION);
    }

    @Test
    void metadata_roundTrips_andWhatNoRetryWritesReadsAsAnOriginal() {
        Lineage retry = new Lineage("tickets-0123456789ab", 3);

        assertThat(Lineage.fromMetadata(retry.metadata())).isEqualTo(retry);
        assertThat(Lineage.fromMetadata(Map.of())).isEqualTo(Lineage.ORIGINAL);
        assertThat(Lineage.fromMetadata(Map.of(Lineage.RETRY_OF_METADATA, "Tickets/../x",
                Lineage.GENERATION_METADATA, "1"))).isEqualTo(Lineage.ORIGINAL);
        assertThat(Lineage.fromMetadata(Map.of(Lineage.RETRY_OF_METADATA, "tickets-1",
                Lineage.GENERATION_METADATA, "7"))).isEqualTo(Lineage.ORIGINAL);
        assertThat(Lineage.fromMetadata(Map.of(Lineage.RETRY_OF_METADATA, "tickets-1"))).isEqualTo(Lineage.ORIGINAL);
    }
}
