package dev.batchline.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.Stack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code batchline jobs}: the newest jobs, from the table's creation index. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Lists the stack's newest jobs: id, status, requests, succeeded, failed, age, cost.%n"
                + "Exit status: 0 listed, 2 usage, I/O or AWS error.")
final class JobsCommand extends StackCommand {

    @Option(names = "--status", paramLabel = "S", description = "only jobs in this status: validating, rejected, "
            + "submitting, running, completed, failed")
    String status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        JobStatus wanted;
        try {
            wanted = status == null ? null : JobStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err().println("batchline jobs: no status " + status + "; one of validating, rejected, submitting, "
                    + "running, completed, failed");
            return ValidateCommand.ERROR;
        }
        if (limit < 1) {
            err().println("batchline jobs: --limit must be at least 1");
            return ValidateCommand.ERROR;
        }
        List<JobDisplay.JobStatusReport> reports = new ArrayList<>();
        for (JobRecord job : operations.newest(wanted, limit)) {
            // One read for a finished job (its manifest); its parts only while it runs.
            JsonNode manifest = job.manifestKey() == null ? null : operations.manifest(job.jobId()).orElse(null);
            reports.add(JobDisplay.report(manifest == null ? operations.view(job.jobId())
                    : new JobOperations.JobView(job, List.of()), manifest, false));
        }
        if (json) {
            out().println(mapper.writeValueAsString(reports));
            return 0;
        }
        Instant now = Instant.now();
        out().printf("%-54s %-11s %9s %10s %8s %6s  %s%n", "JOB", "STATUS", "REQUESTS", "SUCCEEDED", "FAILED", "AGE",
                "COST");
        for (JobDisplay.JobStatusReport job : reports) {
            out().printf("%-54s %-11s %9d %10d %8d %6s  %s%n", job.jobId(), job.status(), job.requests(),
                    job.succeeded(), job.failed(), JobDisplay.age(job.createdAt(), now),
                    job.cost() == null ? "-" : job.cost().text());
        }
        if (reports.isEmpty()) {
            out().println("(no jobs" + (wanted == null ? "" : " " + status) + ")");
        }
        return 0;
    }
}
