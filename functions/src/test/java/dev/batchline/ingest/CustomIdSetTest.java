package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CustomIdSetTest {

    private record Duplicate(int line, int earlierLine, String id) {
    }

    private final CustomIdSet set = new CustomIdSet();
    private final List<Duplicate> duplicates = new ArrayList<>();

    private void add(String id, int line) {
        if (set.offer(id.toCharArray(), 0, id.length(), line)) {
            drain();
        }
    }

    private void drain() {
        set.drain((line, earlier, id) -> duplicates.add(new Duplicate(line, earlier, id)));
    }

    @Test
    void drain_whenAMillionDistinctIdsWereOffered_findsNoDuplicateAndKeepsThemAll() {
        for (int line = 1; line <= 1_000_000; line++) {
            add("req-" + line, line);
        }
        drain();

        assertThat(duplicates).isEmpty();
        assertThat(set.size()).isEqualTo(1_000_000);
    }

    @Test
    void drain_whenAnIdComesBack_namesItsLineTheFirstLineAndTheId() {
        for (int line = 1; line <= 5_000; line++) {
            add("id-" + line, line);
        }
        add("id-17", 5_001);
        add("id-4999", 5_002);
        drain();

        assertThat(duplicates).containsExactly(new Duplicate(5_001, 17, "id-17"),
                new Duplicate(5_002, 4_999, "id-4999"));
    }

    @Test
    void drain_whenADuplicateIsInTheSameBatch_stillFindsIt() {
        add("same", 1);
        add("same", 2);
        drain();

        assertThat(duplicates).containsExactly(new Duplicate(2, 1, "same"));
    }

    @Test
    void offer_whenIdsDifferOnlyInOneCharacterOrInLength_keepsThemApart() {
        String base = "x".repeat(37);
        add(base, 1);
        add(base + "\u0000", 2);
        add(base.substring(1), 3);
        add(base.substring(0, 36) + "y", 4);
        add("\u00e9" + base.substring(1), 5);
        drain();

        assertThat(duplicates).isEmpty();
    }

    @Test
    void offer_whenIdIsPartOfALargerArray_fingerprintsOnlyTheGivenRange() {
        char[] buffer = "..abc..abc".toCharArray();
        set.offer(buffer, 2, 3, 1);
        set.offer(buffer, 7, 3, 2);
        drain();

        assertThat(duplicates).containsExactly(new Duplicate(2, 1, "abc"));
    }
}
