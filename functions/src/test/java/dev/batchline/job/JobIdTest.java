package dev.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobIdTest {

    @Test
    void of_whenTheSameObjectVersion_givesTheSameId() {
        assertThat(JobId.of("b", "inbox/tickets.jsonl", "v1")).isEqualTo(JobId.of("b", "inbox/tickets.jsonl", "v1"));
    }

    @Test
    void of_whenBucketKeyOrVersionDiffer_givesDifferentIds() {
        String id = JobId.of("b", "inbox/tickets.jsonl", "v1");

        assertThat(JobId.of("b", "inbox/tickets.jsonl", "v2")).isNotEqualTo(id);
        assertThat(JobId.of("c", "inbox/tickets.jsonl", "v1")).isNotEqualTo(id);
        assertThat(JobId.of("b", "inbox/openai/tickets.jsonl", "v1")).isNotEqualTo(id);
    }

    @Test
    void of_slugsTheFileNameAndFitsAnExecutionName() {
        String id = JobId.of("b", "inbox/openai/Support Tickets (Nov) \u00e9t\u00e9 " + "x".repeat(100) + ".JSONL", "e");

        assertThat(id).matches("support-tickets-nov-t-xxxx+-[0-9a-f]{12}");
        assertThat(id.length()).isLessThanOrEqualTo(80);
        assertThat(JobId.of("b", "inbox/---.jsonl", "e")).matches("batch-[0-9a-f]{12}");
    }
}
