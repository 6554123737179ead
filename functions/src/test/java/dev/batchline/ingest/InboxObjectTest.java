package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InboxObjectTest {

    @Test
    void parse_whenDirectlyInTheInbox_usesTheDefaultProfile() {
        assertThat(InboxObject.parse("inbox/a.jsonl", "openai")).contains(new InboxObject("openai"));
    }

    @Test
    void parse_whenInAProfileFolder_usesThatProfileWhateverItIs() {
        assertThat(InboxObject.parse("inbox/nebius/x/a.JSONL", "openai")).contains(new InboxObject("nebius"));
        assertThat(InboxObject.parse("inbox/typo/a.jsonl", "openai")).contains(new InboxObject("typo"));
    }

    @Test
    void parse_whenOutsideTheInboxOrNotJsonl_isEmpty() {
        assertThat(InboxObject.parse("staging/j/part-00001.jsonl", "openai")).isEmpty();
        assertThat(InboxObject.parse("inbox/a.json", "openai")).isEmpty();
        assertThat(InboxObject.parse("inbox/", "openai")).isEmpty();
        assertThat(InboxObject.parse("results/inbox/a.jsonl", "openai")).isEmpty();
    }
}
