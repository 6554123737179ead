package dev.batchline.local;

import dev.batchline.ingest.ValidationReport;
import dev.batchline.job.JobStatus;
import dev.batchline.job.Lineage;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.Stack;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline submit}: validate a file here, then put it into the stack's inbox. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Validates a batch file as the upload trigger will, uploads it to the stack's inbox and "
                + "prints the job id.%nExit status: 0 submitted (with --wait: completed), 1 invalid, or the job "
                + "was rejected or failed, 2 usage, I/O or AWS error.")
final class SubmitCommand extends StackCommand {

    @Parameters(paramLabel = "FILE", description = "the JSONL batch file")
    Path file;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "provider profile: the file goes to inbox/NAME/ (default: the stack's default profile)")
    String profile;

    @Option(names = "--wait", description = "follow the job to its end, as status --watch does")
    boolean await;

    @Option(names = "--wait-minutes", defaultValue = "1500", description = "give up following after "
            + "(default: ${DEFAULT-VALUE}, a 24-hour window and finalizing)")
    int waitMinutes;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        if (!Files.isRegularFile(file)) {
            err().println("batchline submit: no such file: " + file);
            return ValidateCommand.ERROR;
        }
        String profileName = profile != null ? profile
                : stack.defaultProfile() != null ? stack.defaultProfile() : Stack.DEPLOYED_DEFAULT_PROFILE;
        ProviderProfile rules = ProviderProfiles.withOverrides(stack.profiles() != null ? stack.profiles()
                : System.getenv("BATCHLINE_PROFILES"), mapper).require(profileName);
        ValidateCommand.Checked checked = ValidateCommand.check(file, rules);
        if (!checked.accepted()) {
            if (json) {
                out().println(checked.toJson(mapper));
            } else {
                ValidateCommand.printReadable(out(), file, checked);
            }
            return ValidateCommand.INVALID;
        }
        ValidationReport report = checked.report();
        long size = Files.size(file);
        ProgressBar bar = new ProgressBar(err(), "uploading " + file.getFileName(), size, !json);
        JobOperations.Submitted submitted = operations.submit(file, profile, Lineage.ORIGINAL, bar::update);
        bar.done();
        // The id is printed once the job exists, so the next command can name it at once.
        JobFollower follower = new JobFollower(operations, json ? new java.io.PrintWriter(java.io.Writer.nullWriter())
                : out(), Duration.ofSeconds(1));
        follower.awaitRecord(submitted.jobId());
        if (json && !await) {
            out().println(mapper.writeValueAsString(Map.of("jobId", submitted.jobId(), "key", submitted.key(),
                    "requests", report.requests(), "parts", report.parts())));
            return 0;
        }
        if (!json) {
            out().printf("job %s submitted: %d requests in %d part(s), s3://%s/%s%n", submitted.jobId(),
                    report.requests(), report.parts(), stack.bucket(), submitted.key());
        }
        if (!await) {
            return 0;
        }
        JobStatus ended = follower.follow(submitted.jobId(), Duration.ofMinutes(waitMinutes));
        return StatusCommand.finish(this, operations, submitted.jobId(), ended);
    }
}
