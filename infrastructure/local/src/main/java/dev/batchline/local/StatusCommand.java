package dev.batchline.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.JobStatus;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.Stack;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline status}: a job and each of its parts, once or followed to the end. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows a job and each part: provider status, counts, next poll, finalize progress.%n"
                + "Exit status: 0 shown (with --watch: completed), 1 no such job, or it was rejected or failed, "
                + "2 usage, I/O or AWS error.")
final class StatusCommand extends StackCommand {

    @Parameters(paramLabel = "JOB", description = "the job id (batchline jobs lists them)")
    String jobId;

    @Option(names = "--watch", description = "refresh until the job ends")
    boolean watch;

    @Option(names = "--interval-seconds", defaultValue = "2", description = "refresh every (default: ${DEFAULT-VALUE})")
    int intervalSeconds;

    @Option(names = "--wait-minutes", defaultValue = "1500", description = "stop watching after (default: ${DEFAULT-VALUE})")
    int waitMinutes;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        if (!watch) {
            show(this, operations, jobId);
            return 0;
        }
        PrintWriter progress = json ? new PrintWriter(Writer.nullWriter()) : out();
        JobStatus ended = new JobFollower(operations, progress, Duration.ofSeconds(intervalSeconds))
                .follow(jobId, Duration.ofMinutes(waitMinutes));
        return finish(this, operations, jobId, ended);
    }

    private static void show(StackCommand command, JobOperations operations, String jobId) throws Exception {
        JobDisplay.JobStatusReport report = JobDisplay.report(operations.view(jobId),
                operations.manifest(jobId).orElse(null), true);
        if (command.json) {
            command.out().println(command.mapper.writeValueAsString(report));
        } else {
            JobDisplay.printStatus(command.out(), report, Instant.now());
        }
    }

    /** The end of a followed job: its status (and why, when it was rejected), and the exit status it gives. */
    static int finish(StackCommand command, JobOperations operations, String jobId, JobStatus ended)
            throws Exception {
        show(command, operations, jobId);
        if (ended == JobStatus.REJECTED && !command.json) {
            JsonNode report = operations.rejection(jobId);
            command.out().println("rejected (" + report.path("reason").asText() + "): " + report.path("message").asText());
            for (JsonNode error : report.path("validation").path("errors")) {
                command.out().printf("  line %s  %-22s %s%n", error.path("line").asText("-"),
                        error.path("code").asText(), error.path("message").asText());
            }
        }
        return ended == JobStatus.COMPLETED ? 0 : ValidateCommand.INVALID;
    }
}
