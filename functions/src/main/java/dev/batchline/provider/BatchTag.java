package dev.batchline.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What Batchline writes into a batch's metadata to know it again: the job, the part, and the
 * submission (a part is submitted again after a refusal for capacity, so the refused batch is never
 * mistaken for the one that replaces it). Creating a batch is not idempotent at the provider; a
 * caller that lost a create's answer finds the batch by its tag instead of creating a twin.
 */
public record BatchTag(String jobId, int partNumber, int submission) {

    static final String JOB = "batchline_job";
    static final String PART = "batchline_part";
    static final String SUBMISSION = "batchline_submission";
    private static final int SEARCH_PAGES = 10;
    private static final int PAGE_SIZE = 100;

    public Map<String, String> metadata() {
        return Map.of(JOB, jobId, PART, Integer.toString(partNumber), SUBMISSION, Integer.toString(submission));
    }

    public boolean isOn(ProviderBatch batch) {
        return isOfThePart(batch) && Integer.toString(submission).equals(batch.metadata().get(SUBMISSION));
    }

    /** The batch was created for this tag's part, in any submission. */
    private boolean isOfThePart(ProviderBatch batch) {
        return jobId.equals(batch.metadata().get(JOB)) && Integer.toString(partNumber).equals(batch.metadata().get(PART));
    }

    /** The newest batch with this tag among the provider's latest 1,000, if any. */
    public Optional<ProviderBatch> findAt(BatchProvider provider) {
        return search(provider, this::isOn, true).stream().findFirst();
    }

    /**
     * The part's batches, among the provider's latest 1,000, other than {@code recordedId} and not
     * ended: twins of the part's batch, created by a call whose answer was lost after the search
     * that should have found it (a create held past the client's time-out, say).
     */
    public List<ProviderBatch> liveTwinsAt(BatchProvider provider, String recordedId) {
        return search(provider, batch -> isOfThePart(batch) && !batch.id().equals(recordedId)
                && !batch.status().isTerminal(), false);
    }

    private static List<ProviderBatch> search(BatchProvider provider, Predicate<ProviderBatch> wanted,
            boolean firstOnly) {
        List<ProviderBatch> found = new ArrayList<>();
        String after = null;
        for (int page = 0; page < SEARCH_PAGES; page++) {
            BatchPage batches = provider.listBatches(after, PAGE_SIZE);
            for (ProviderBatch batch : batches.batches()) {
                if (wanted.test(batch)) {
                    found.add(batch);
                    if (firstOnly) {
                        return found;
                    }
                }
            }
            if (!batches.hasMore()) {
                break;
            }
            after = batches.lastId();
        }
        return found;
    }
}
