package dev.batchline.local;

import dev.batchline.job.JobRecord;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.Stack;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code batchline cancel}: stop a job's batches, keeping what finished. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels a running job: its provider batches are cancelled at their next poll, parts not yet "
                + "submitted are never submitted, results already in are kept; the job then completes with the "
                + "rest as batch_cancelled errors.%nExit status: 0 requested, 1 no such job or it has ended, "
                + "2 usage, I/O or AWS error.")
final class CancelCommand extends StackCommand {

    @Parameters(paramLabel = "JOB", description = "the job id")
    String jobId;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        JobRecord job = operations.cancel(jobId);
        if (json) {
            out().println(mapper.writeValueAsString(Map.of("jobId", jobId, "cancelRequested", true,
                    "status", JobDisplay.name(job.status()))));
        } else {
            out().println("cancel requested for job " + jobId + ": its batches are cancelled at their next poll; "
                    + "batchline status " + jobId + " --watch follows it to its end");
        }
        return 0;
    }
}
