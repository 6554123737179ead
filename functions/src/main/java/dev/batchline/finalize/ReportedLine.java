package dev.batchline.finalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.RecordOutcome;
import java.io.IOException;

/**
 * One line of a provider's output or error file, read for what Batchline needs of it: whose it is,
 * whether it succeeded and why not, and the tokens it used.
 *
 * @param outcome what the line adds to its part's outcome
 */
record ReportedLine(String customId, FinalRecord record, PartOutcome outcome) {

    static ReportedLine parse(byte[] line, ObjectMapper mapper) throws IOException {
        JsonNode result = mapper.readTree(line);
        String customId = result.path("custom_id").asText();
        JsonNode response = result.path("response");
        int status = response.path("status_code").asInt(0);
        boolean succeeded = status / 100 == 2 && (result.path("error").isNull()
                || result.path("error").isMissingNode());
        String errorCode = succeeded ? null : FinalRecord.errorCodeOf(result);
        JsonNode usage = response.path("body").path("usage");
        long prompt = usage.path("prompt_tokens").asLong(usage.path("input_tokens").asLong());
        long completion = usage.path("completion_tokens").asLong(usage.path("output_tokens").asLong());
        // Providers list requests they never ran in the error file too, with these codes.
        RecordOutcome outcome = succeeded ? RecordOutcome.SUCCEEDED
                : PipelineErrorCode.BATCH_EXPIRED.is(errorCode) ? RecordOutcome.EXPIRED
                : PipelineErrorCode.BATCH_CANCELLED.is(errorCode) ? RecordOutcome.CANCELLED
                : RecordOutcome.FAILED;
        return new ReportedLine(customId, new FinalRecord(customId, outcome, line, status == 0 ? null : status,
                errorCode), PartOutcome.of(outcome, prompt, completion,
                usage.path("total_tokens").asLong(prompt + completion)));
    }
}
