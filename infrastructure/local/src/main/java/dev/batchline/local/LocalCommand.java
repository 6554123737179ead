package dev.batchline.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.operate.LocalStackState;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code batchline local}: the pipeline on this machine, kept up for the other commands' {@code --local}. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "A local stack that stays up: the emulators, the state machine engine, the local provider and "
                + "the upload trigger, with its endpoints in .batchline/local.json.",
        subcommands = {LocalCommand.Start.class, LocalCommand.Stop.class})
final class LocalCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "local start or local stop");
    }

    /** How long a detached start may take to come up, and a stop to wind down, before they give up. */
    static final Duration START_BOUND = Duration.ofMinutes(3);
    static final Duration STOP_BOUND = Duration.ofMinutes(1);
    private static final Duration INBOX_INTERVAL = Duration.ofSeconds(1);

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Starts the local stack and keeps it up until local stop (or Ctrl-C). A file put into its "
                    + "bucket's inbox/ by any S3 client starts a job. Its state (emulators in memory) ends with it.%n"
                    + "Exit status: 0 stopped cleanly (with --detach: up), 2 already up, or it could not start.")
    static final class Start implements Callable<Integer> {

        @Mixin
        LocalDirectoryOption localDirectory;

        @Option(names = "--detach", description = "start in the background and return once it is up; its log is "
                + ".batchline/local.log")
        boolean detach;

        @Mixin
        PipelineOptions pipelineOptions;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ObjectMapper mapper = Json.mapper();
            Path directory = localDirectory.directory();
            Optional<LocalStackState> running = LocalStackState.readLive(directory, mapper);
            if (running.isPresent()) {
                err.println("batchline local start: a local stack is already up here (pid " + running.get().pid()
                        + "); ./batchline local stop ends it");
                return ValidateCommand.ERROR;
            }
            if (detach) {
                return startDetached(directory, mapper, out, err);
            }
            LocalPipeline pipeline = LocalPipeline.start(pipelineOptions.settings(), pipelineOptions.hosting());
            CountDownLatch stopped = new CountDownLatch(1);
            long pid = ProcessHandle.current().pid();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.deleteIfExists(LocalStackState.file(directory));
                    pipeline.close();
                } catch (Exception e) {
                    System.err.println("batchline local: stopping: " + e);
                } finally {
                    stopped.countDown();
                }
            }, "batchline-local-stop"));
            LocalStackState state = pipeline.stayUp(INBOX_INTERVAL, pid,
                    ProcessHandle.current().info().startInstant().orElseGet(Instant::now));
            state.write(directory, mapper);
            out.printf("batchline local stack up (pid %d); endpoints in %s%n", pid, LocalStackState.file(directory));
            out.printf("  s3       %s  bucket %s (drop files into inbox/)%n", state.s3(), state.bucket());
            out.printf("  dynamodb %s  table %s%n", state.dynamo(), state.table());
            out.printf("  sqs      %s%n", state.eventsQueueUrl());
            out.printf("  provider %s%n", state.providerUrl() == null ? "(BATCHLINE_BASE_URL)" : state.providerUrl());
            out.println("stop it with ./batchline local stop");
            out.flush();
            stopped.await();
            return 0;
        }

        /** The same command without --detach, as a process of its own, its output in the log. */
        private Integer startDetached(Path directory, ObjectMapper mapper, PrintWriter out, PrintWriter err)
                throws IOException, InterruptedException {
            Files.createDirectories(directory);
            Path log = directory.resolve(LocalStackState.LOG);
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            // The same JVM options (BATCHLINE_JAVA_OPTS), then where the checkout is, as this process knows it.
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.addAll(List.of("-Dbatchline.home=" + System.getProperty("batchline.home", "."),
                    "-cp", System.getProperty("java.class.path"), Batchline.class.getName(), "local", "start",
                    "--local-dir", directory.toString()));
            if (pipelineOptions.profile != null) {
                command.addAll(List.of("--profile", pipelineOptions.profile));
            }
            if (pipelineOptions.providerConfig != null) {
                command.addAll(List.of("--provider-config", pipelineOptions.providerConfig.toAbsolutePath().toString()));
            }
            if (pipelineOptions.functions != null) {
                command.addAll(List.of("--functions", pipelineOptions.functions.toString()));
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
            Instant deadline = Instant.now().plus(START_BOUND);
            while (Instant.now().isBefore(deadline)) {
                Optional<LocalStackState> state = LocalStackState.readLive(directory, mapper);
                if (state.isPresent() && state.get().pid() == process.pid()) {
                    out.println("batchline local stack up (pid " + process.pid() + "); endpoints in "
                            + LocalStackState.file(directory) + ", log in " + log);
                    return 0;
                }
                if (process.waitFor(500, TimeUnit.MILLISECONDS)) {
                    err.println("batchline local start: the stack stopped while starting; its log (" + log + "):");
                    err.println(Files.readString(log));
                    return ValidateCommand.ERROR;
                }
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            err.println("batchline local start: not up after " + START_BOUND.toMinutes() + " minutes; see " + log);
            return ValidateCommand.ERROR;
        }

        private static java.io.File nullDevice() {
            return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops the local stack of this folder. Exit status: 0 stopped or none was up, 2 it would not stop.")
    static final class Stop implements Callable<Integer> {

        @Mixin
        LocalDirectoryOption localDirectory;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path directory = localDirectory.directory();
            Optional<LocalStackState> running = LocalStackState.readLive(directory, Json.mapper());
            if (running.isEmpty()) {
                Files.deleteIfExists(LocalStackState.file(directory));
                out.println("no local stack is up here");
                return 0;
            }
            ProcessHandle process = ProcessHandle.of(running.get().pid()).orElseThrow();
            // Its shutdown hook stops the engines and emulators and removes local.json.
            process.destroy();
            try {
                process.onExit().get(STOP_BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                Files.deleteIfExists(LocalStackState.file(directory));
                spec.commandLine().getErr().println("batchline local stop: pid " + process.pid()
                        + " did not stop within " + STOP_BOUND.toSeconds() + " s and was killed");
                return ValidateCommand.ERROR;
            }
            out.println("local stack stopped (pid " + running.get().pid() + ")");
            return 0;
        }
    }
}
