package dev.batchline.finalize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.FinalizePhase;
import dev.batchline.job.PartFailure;
import dev.batchline.provider.ProviderBatch;

/**
 * What a part's requests without a record get at the end of finalizing: the error code and message
 * of their error records, from how the batch ended or why the part failed.
 *
 * @param batchErrors     the provider's {@code errors} of the batch, kept in each record, or null
 * @param withdrawResults the part failed while splitting a provider file (a 2xx line of an error
 *                        file is a result too): a result object written past its last checkpoint is
 *                        removed as its error record is written
 */
record Unreported(PipelineErrorCode code, String message, JsonNode batchErrors, boolean withdrawResults) {

    static Unreported of(PartFailure failure) {
        PipelineErrorCode code = PipelineErrorCode.of(failure.code());
        String message = (code == PipelineErrorCode.JOB_FAILED ? "The job failed before this request's part finished: "
                : "This request's part failed: ") + failure.reason();
        return new Unreported(code, message, null,
                failure.during() == FinalizePhase.OUTPUT || failure.during() == FinalizePhase.ERRORS);
    }

    static Unreported of(ProviderBatch batch, boolean outputIncomplete) {
        PipelineErrorCode code = outputIncomplete ? PipelineErrorCode.PROVIDER_OUTPUT_UNAVAILABLE
                : switch (batch.status()) {
            case EXPIRED -> PipelineErrorCode.BATCH_EXPIRED;
            case CANCELLED -> PipelineErrorCode.BATCH_CANCELLED;
            case FAILED -> PipelineErrorCode.BATCH_FAILED;
            case COMPLETED -> PipelineErrorCode.MISSING_FROM_PROVIDER_OUTPUT;
            default -> PipelineErrorCode.BATCH_TIMED_OUT; // not ended by the part's deadline
        };
        String message = switch (code) {
            case BATCH_EXPIRED -> "The provider batch " + batch.id() + " expired before this request ran.";
            case BATCH_CANCELLED -> batch.id() == null ? "The job was cancelled before this part was submitted."
                    : "The provider batch " + batch.id() + " was cancelled before this request ran.";
            case BATCH_FAILED -> "The provider batch " + batch.id() + " failed; see batch_errors.";
            case MISSING_FROM_PROVIDER_OUTPUT -> "The provider batch " + batch.id()
                    + " completed without reporting this request.";
            case PROVIDER_OUTPUT_UNAVAILABLE -> "The provider's files of batch " + batch.id() + " could not be"
                    + " downloaded whole (" + ProviderFileCopy.MAX_ATTEMPTS + " attempts); this request's line was not"
                    + " in what arrived.";
            default -> "The provider batch " + batch.id() + " was still " + batch.rawStatus()
                    + " at the part's deadline (1.75 completion windows after its submission); Batchline stopped"
                    + " waiting for it.";
        };
        return new Unreported(code, message, batch.errors().isEmpty() ? null : batch.raw().path("errors"), false);
    }
}
