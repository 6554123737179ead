package dev.batchline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.operate.RecordFolder;
import dev.batchline.config.Json;
import dev.batchline.local.runtime.FunctionHosting;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.local.runtime.LocalStepFunctions;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.JobStateException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code batchline run}: a batch file through the whole pipeline on this machine (emulators, the
 * real state machine, the local provider or the one {@code BATCHLINE_BASE_URL} names), and its
 * per-request results, errors and manifest copied to a folder.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a batch file end to end on this machine and writes one JSON file per request.%n"
                + "With BATCHLINE_BASE_URL (and BATCHLINE_API_KEY) set, a real provider answers instead of the local one.%n"
                + "Exit status: 0 the job completed, 1 it was rejected or failed, 2 usage or I/O error.")
final class RunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the JSONL batch file")
    Path file;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "batchline-out",
            description = "where the manifest and the merged output.jsonl and errors.jsonl go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--records", description = "also copy one file per record into results/records/ and "
            + "errors/records/, with index.jsonl mapping each file to its custom_id")
    boolean records;

    @Option(names = "--timeout-minutes", defaultValue = "60",
            description = "cancel the job after this long, as Ctrl-C does (default: ${DEFAULT-VALUE})")
    int timeoutMinutes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file)) {
            err.println("batchline run: no such file: " + file);
            return ValidateCommand.ERROR;
        }
        if (timeoutMinutes < 1) {
            err.println("batchline run: --timeout-minutes must be at least 1");
            return ValidateCommand.ERROR;
        }
        String remote = System.getenv("BATCHLINE_BASE_URL");
        LocalPipeline.Settings settings = pipelineOptions.settings();
        FunctionHosting hosting = pipelineOptions.hosting();
        err.println(remote == null || remote.isBlank()
                ? "batchline run: starting DynamoDB Local, ElasticMQ, S3Proxy and the local provider..."
                : "batchline run: starting DynamoDB Local, ElasticMQ and S3Proxy; provider " + remote);
        err.flush();
        ObjectMapper mapper = Json.mapper();
        try (LocalPipeline pipeline = LocalPipeline.start(settings, hosting)) {
            JobOperations operations = new JobOperations(pipeline.s3(), pipeline.jobs(), LocalPipeline.BUCKET, mapper);
            JsonNode outcome = pipeline.submit(file, LocalPipeline.LOCAL_PROFILE);
            String jobId = outcome.path("jobId").asText();
            if (!"SUBMITTED".equals(outcome.path("result").asText())) {
                return rejected(pipeline, jobId, mapper, out);
            }
            out.println("job " + jobId + " submitted");
            out.flush();
            Followed followed;
            try (CancelOnInterrupt interrupt = new CancelOnInterrupt(err)) {
                followed = follow(pipeline, operations, jobId, interrupt, out, err);
            }
            if (followed == Followed.CANCEL_UNFINISHED) {
                return ValidateCommand.INVALID;
            }
            LocalStepFunctions.Outcome execution = pipeline.await(jobId, Duration.ofSeconds(5));
            Path target = this.out.resolve(jobId);
            RecordFolder.Copied copied = operations.copyOut(jobId, target, records);
            JsonNode manifest = mapper.readTree(target.resolve("manifest.json").toFile());
            out.printf("job %s %s: %s%n", jobId, manifest.path("status").asText(), manifest.path("counts"));
            out.println("manifest: " + target.resolve("manifest.json").toAbsolutePath());
            for (Path merged : copied.merged()) {
                out.println("merged:   " + merged.toAbsolutePath());
            }
            if (copied.records()) {
                out.println("records:  " + target.resolve("results/records").toAbsolutePath() + ", "
                        + target.resolve("errors/records").toAbsolutePath());
                out.println("index:    " + target.resolve(RecordFolder.INDEX).toAbsolutePath() + " (file -> custom_id)");
            }
            if (!execution.succeeded()) {
                err.println("batchline run: the workflow failed: " + execution.error() + ": " + execution.cause());
                return ValidateCommand.INVALID;
            }
            return followed == Followed.CANCELLED ? ValidateCommand.INVALID : 0;
        }
    }

    /**
     * How long a cancelled job may take to end: one poll asks the provider to cancel, a later one
     * sees it done, each up to the profile's longest wait; and this much more for the provider's
     * cancelling and finalizing.
     */
    private static final Duration CANCEL_MARGIN = Duration.ofMinutes(1);

    /** How following a run's job ended. */
    private enum Followed { ENDED, CANCELLED, CANCEL_UNFINISHED }

    /**
     * Shows the job's progress until its execution ends. Ctrl-C, or the run's time running out,
     * cancels the job as batchline cancel does, so a real provider's batches do not run on
     * unwatched; the run then waits for the job to end at most two of the profile's longest waits
     * between polls and {@link #CANCEL_MARGIN}.
     */
    private Followed follow(LocalPipeline pipeline, JobOperations operations, String jobId,
            CancelOnInterrupt interrupt, PrintWriter out, PrintWriter err) throws InterruptedException {
        Instant started = Instant.now();
        Instant outOfTime = started.plus(Duration.ofMinutes(timeoutMinutes));
        Duration cancelBound = Duration.ofSeconds(2L * pipeline.localProfile().maxPollSeconds()).plus(CANCEL_MARGIN);
        Instant cancelAsked = null;
        boolean cancelled = false;
        String last = "";
        while (!pipeline.ended(jobId)) {
            Instant now = Instant.now();
            boolean timedOut = !now.isBefore(outOfTime);
            if (cancelAsked == null && (interrupt.pressed() || timedOut)) {
                cancelAsked = now;
                try {
                    operations.cancel(jobId);
                    cancelled = true;
                    interrupt.cancelling();
                    err.println("batchline run: " + (timedOut ? "out of time after " + timeoutMinutes + " minutes: "
                            : "") + "cancelling job " + jobId + ": its batches are cancelled at their next poll and "
                            + "the job ends with what finished (Ctrl-C stops at once, leaving them)");
                    err.flush();
                } catch (JobStateException ended) {
                    // Ended already: the run finishes copying it out.
                }
            }
            if (cancelAsked != null && !now.isBefore(cancelAsked.plus(cancelBound))) {
                err.println("batchline run: job " + jobId + " was cancelled " + cancelBound.toSeconds() + " s ago and "
                        + "has not ended: its batches may still run at the provider (batchline status shows them "
                        + "while the stack is up)");
                return Followed.CANCEL_UNFINISHED;
            }
            String progress = JobDisplay.progressLine(operations.view(jobId));
            if (!progress.equals(last)) {
                out.printf("[%4ds] %s%n", Duration.between(started, Instant.now()).toSeconds(), progress);
                out.flush();
                last = progress;
            }
            Thread.sleep(500);
        }
        return cancelled ? Followed.CANCELLED : Followed.ENDED;
    }

    /**
     * While a run follows its job, Ctrl-C asks for the job to be cancelled, as batchline cancel does,
     * so a real provider's batches do not run on unwatched; once the job is being cancelled, Ctrl-C
     * stops at once. Closing gives Ctrl-C back its usual meaning.
     */
    static final class CancelOnInterrupt implements AutoCloseable {
        private static final Signal INTERRUPT = new Signal("INT");
        private final AtomicInteger presses = new AtomicInteger();
        private final SignalHandler previous;

        CancelOnInterrupt(PrintWriter err) {
            previous = Signal.handle(INTERRUPT, signal -> {
                if (presses.incrementAndGet() > 1) {
                    err.println("batchline run: stopped; the job's provider batches may still run");
                    err.flush();
                    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
                    Runtime.getRuntime().halt(130);
                }
            });
        }

        boolean pressed() {
            return presses.get() > 0;
        }

        /** The job is being cancelled (by Ctrl-C or not): the next Ctrl-C stops at once. */
        void cancelling() {
            presses.updateAndGet(count -> Math.max(count, 1));
        }

        @Override
        public void close() {
            Signal.handle(INTERRUPT, previous);
        }
    }

    private int rejected(LocalPipeline pipeline, String jobId, ObjectMapper mapper, PrintWriter out)
            throws IOException {
        JsonNode report = mapper.readTree(pipeline.s3().getObjectAsBytes(r -> r.bucket(LocalPipeline.BUCKET)
                .key(S3Layout.rejectionReport(jobId))).asByteArray());
        out.println("job " + jobId + " rejected (" + report.path("reason").asText() + "): "
                + report.path("message").asText());
        for (JsonNode error : report.path("validation").path("errors")) {
            out.printf("  line %s  %-22s %s%n", error.path("line").asText("-"), error.path("code").asText(),
                    error.path("message").asText());
        }
        return ValidateCommand.INVALID;
    }
}
