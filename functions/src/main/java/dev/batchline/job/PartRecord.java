package dev.batchline.job;

import dev.batchline.provider.ProviderBatch;
import java.util.List;

/**
 * A part as stored ({@code sk = PART#00001}): what was staged, and where its provider batch stands.
 *
 * @param uploadStarted   an upload of the part began: a retry looks for the file it may have stored
 * @param submissions     batches the provider refused for capacity so far; the next one is submission
 *                        {@code submissions}, so a retry's search by metadata never picks a refused batch
 * @param firstSubmittedAt when the part's first batch was recorded: its deadlines count from there,
 *                        across resubmissions
 * @param providerCounts  the provider's request counts at the last poll
 * @param nextPollAt      when the workflow polls the batch next, as the last poll planned it
 * @param polls           times the part's batches were polled
 * @param finalizePhase   {@code null} before finalizing, then each {@link FinalizePhase} in turn
 * @param finalizeCursor  how far finalizing got in the current phase
 * @param outputIncomplete the provider's files could not be copied whole within the copy's budget:
 *                        requests whose line did not arrive are {@code provider_output_unavailable}
 * @param failure         why the part ended unfinished, or null
 * @param segments        the part's pieces of the job's merged output, in order, as committed
 */
public record PartRecord(
        StagedPart staged,
        String fileId,
        boolean uploadStarted,
        String batchId,
        int submissions,
        java.time.Instant firstSubmittedAt,
        String batchStatus,
        ProviderBatch.RequestCounts providerCounts,
        boolean cancelSent,
        java.time.Instant nextPollAt,
        int polls,
        FinalizePhase finalizePhase,
        FinalizeCursor finalizeCursor,
        PartOutcome outcome,
        boolean outputIncomplete,
        PartFailure failure,
        List<MergedSegment> segments) {
}
