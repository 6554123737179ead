package dev.batchline.local;

import dev.batchline.job.JobStatus;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.RetryableCodes;
import dev.batchline.operate.Stack;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline retry}: a new job of a finished job's failed requests. */
@Command(name = "retry", mixinStandardHelpOptions = true,
        description = "Submits a new job of a finished job's failed requests, read from its staged parts (kept for "
                + "the profiles' longest job plus 14 days: 100 days with the presets). By default the requests a "
                + "second try may change: batch_expired, batch_timed_out, missing_from_provider_output, part_failed, "
                + "provider_output_unavailable, job_failed, and 429 or 5xx answers; never a 4xx of the request's own "
                + "nor a cancel. Each job's manifest names the other; a retry of a retry is a generation more, "
                + "up to 5.%nExit status: 0 submitted or nothing to retry (with --wait: completed), 1 no such job, "
                + "not finished, too many generations, or the retry failed, 2 usage, I/O or AWS error.")
final class RetryCommand extends StackCommand {

    @Parameters(paramLabel = "JOB", description = "the finished job")
    String jobId;

    @Option(names = "--codes", paramLabel = "C", split = ",",
            description = "retry the requests with exactly these error codes instead (e.g. batch_cancelled,http_400)")
    List<String> codes;

    @Option(names = "--wait", description = "follow the new job to its end")
    boolean await;

    @Option(names = "--wait-minutes", defaultValue = "1500", description = "give up following after (default: ${DEFAULT-VALUE})")
    int waitMinutes;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        RetryableCodes retryable = codes == null ? RetryableCodes.byDefault() : new RetryableCodes(Set.copyOf(codes));
        Optional<JobOperations.Retried> retried;
        try {
            retried = operations.retry(jobId, retryable);
        } catch (IllegalStateException tooMany) {
            err().println("batchline retry: " + tooMany.getMessage());
            return ValidateCommand.INVALID;
        }
        if (retried.isEmpty()) {
            if (json) {
                out().println(mapper.writeValueAsString(Map.of("jobId", jobId, "retried", 0)));
            } else {
                out().println("job " + jobId + " has no request to retry" + (codes == null ? " (none failed in a "
                        + "way a second try may change; --codes names others)" : " with codes " + codes));
            }
            return 0;
        }
        JobOperations.Retried retry = retried.get();
        if (json && !await) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("jobId", retry.jobId());
            answer.put("retryOf", jobId);
            answer.put("requests", retry.requests());
            answer.put("key", retry.key());
            out().println(mapper.writeValueAsString(answer));
            return 0;
        }
        if (!json) {
            out().printf("job %s submitted: retries %d request(s) of job %s (s3://%s/%s)%n", retry.jobId(),
                    retry.requests(), jobId, stack.bucket(), retry.key());
        }
        if (!await) {
            return 0;
        }
        PrintWriter progress = json ? new PrintWriter(Writer.nullWriter()) : out();
        JobStatus ended = new JobFollower(operations, progress, Duration.ofSeconds(2))
                .follow(retry.jobId(), Duration.ofMinutes(waitMinutes));
        return StatusCommand.finish(this, operations, retry.jobId(), ended);
    }
}
