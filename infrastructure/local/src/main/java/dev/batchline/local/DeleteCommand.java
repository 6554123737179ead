package dev.batchline.local;

import dev.batchline.operate.JobOperations;
import dev.batchline.operate.Stack;
import java.io.Console;
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
            // Only a person at a terminal is asked; a script without --yes must not hang on its input.
            Console console = System.console();
            if (console == null) {
                err().println("batchline delete: not deleted: no terminal to ask at (--yes deletes without asking)");
                return ValidateCommand.INVALID;
            }
            String answer = console.readLine("delete job %s and everything it wrote in s3://%s? [y/N] ", jobId,
                    stack.bucket());
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
                err().println("not deleted");
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
