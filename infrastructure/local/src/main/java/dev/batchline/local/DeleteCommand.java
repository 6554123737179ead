package dev.batchline.local;

import dev.batchline.operate.JobOperations;
import dev.batchline.operate.Stack;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline delete}: remove an ended job's objects and records. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Deletes an ended job: its staged parts, provider copies, records, merged files, manifest "
                + "and its records in the table (the uploaded file in inbox/ stays). Asks first unless --yes.%n"
                + "Exit status: 0 deleted, 1 no such job, still running, or not confirmed, 2 usage, I/O or AWS error.")
final class DeleteCommand extends StackCommand {

    @Parameters(paramLabel = "JOB", description = "the job id")
    String jobId;

    @Option(names = "--yes", description = "do not ask")
    boolean yes;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        operations.require(jobId);
        if (!yes) {
            err().print("delete job " + jobId + " and everything it wrote in s3://" + stack.bucket() + "? [y/N] ");
            err().flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
                err().println("not deleted" + (answer == null ? " (no answer: --yes deletes without asking)" : ""));
                return ValidateCommand.INVALID;
            }
        }
        JobOperations.Deleted deleted = operations.delete(jobId);
        if (json) {
            out().println(mapper.writeValueAsString(Map.of("jobId", jobId, "deletedObjects", deleted.objects())));
        } else {
            out().printf("deleted job %s: %,d object(s) and its records%n", jobId, deleted.objects());
        }
        return 0;
    }
}
