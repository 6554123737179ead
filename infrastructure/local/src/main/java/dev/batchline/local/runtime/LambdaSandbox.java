package dev.batchline.local.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.batchline.lambda.BatchlineFunction;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution environment of a function, run as Lambda runs it: a JVM of its own, started with
 * the Java 17 runtime's flags from the extracted deployment package under the official runtime
 * interface client, which takes its events one at a time from a Runtime API ({@code next},
 * {@code response}, {@code error}, {@code init/error}, and SnapStart's {@code restore/next}). A
 * call that outlives the function's timeout ends the process, as Lambda ends the environment, and
 * the next call starts a fresh one (a cold start) with a Runtime API of its own, so nothing of the
 * ended process (a {@code next} it left waiting) can take the new one's events.
 */
public final class LambdaSandbox implements LocalFunction {

    /** The runtime interface client's entry point, as the Java runtime's bootstrap names it. */
    static final String RUNTIME_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String API = "/2018-06-01/runtime";
    private static final Pattern INVOCATION = Pattern.compile(API + "/invocation/([^/]+)/(response|error)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");
    private static final Logger LOG = LoggerFactory.getLogger(LambdaSandbox.class);

    /**
     * What Lambda would run: the function's name, handler string, memory, timeout and environment
     * (its configuration's variables; the runtime's own are added here).
     */
    public record Definition(String name, String handler, int memoryMb, Duration timeout,
            Map<String, String> environment) {
        public Definition {
            environment = Map.copyOf(environment);
        }

        /**
         * The variables with each {@code ${Name}} replaced by {@code outputs}' value of that name
         * (the stack's outputs); a name it does not hold is an error, not an empty value.
         */
        public Map<String, String> environmentFilledWith(Map<String, String> outputs) {
            Map<String, String> filled = new LinkedHashMap<>();
            environment.forEach((name, value) -> {
                Matcher placeholder = PLACEHOLDER.matcher(value);
                StringBuilder resolved = new StringBuilder();
                while (placeholder.find()) {
                    String output = outputs.get(placeholder.group(1));
                    if (output == null) {
                        throw new IllegalArgumentException(this.name + ": " + name + " names ${" + placeholder.group(1)
                                + "}, which is none of " + outputs.keySet());
                    }
                    placeholder.appendReplacement(resolved, Matcher.quoteReplacement(output));
                }
                filled.put(name, placeholder.appendTail(resolved).toString());
            });
            return filled;
        }

        /**
         * The function as {@link BatchlineFunction} describes it, with the variables the stack gives it:
         * its table and events queue (and state machine, for the upload function) from the stack's
         * outputs, and the Powertools service and metrics namespace.
         */
        public static Definition of(BatchlineFunction function) {
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("POWERTOOLS_SERVICE_NAME", BatchlineFunction.SERVICE_NAME);
            environment.put("POWERTOOLS_METRICS_NAMESPACE", BatchlineFunction.METRICS_NAMESPACE);
            environment.put("JOBS_TABLE_NAME", "${JobsTableName}");
            environment.put("EVENTS_QUEUE_URL", "${EventsQueueUrl}");
            if (function == BatchlineFunction.UPLOAD) {
                environment.put("STATE_MACHINE_ARN", "${StateMachineArn}");
            }
            return new Definition(function.localName(), function.handler(), function.memoryMb(), function.timeout(),
                    environment);
        }
    }

    /**
     * How the sandbox starts its function. {@code SNAP_START} does what SnapStart does before its
     * snapshot: the runtime initialises the function, fires its {@code beforeCheckpoint} hooks (the
     * priming), asks to be restored and fires {@code afterRestore}; only the snapshot and its restore
     * cannot happen here, so a first call then shows what priming left to do.
     */
    public enum Initialization {
        ON_DEMAND("on-demand"),
        SNAP_START("snap-start");

        private final String type;

        Initialization(String type) {
            this.type = type;
        }
    }

    /** When the process started, and when it first asked for an event: its cold start. */
    public record Boot(Instant started, Instant firstNext) {
        public Duration untilFirstNext() {
            return Duration.between(started, firstNext);
        }
    }

    private record Pending(String requestId, byte[] payload, Instant deadline, CompletableFuture<Invocation> answer) {
    }

    private final Definition definition;
    private final Initialization initialization;
    private final Path taskRoot;
    private final List<Path> runtimeClasspath;
    private final int cpu;
    private final Path log;
    private final AtomicInteger responses = new AtomicInteger();
    private volatile Duration firstResponse;
    private volatile SandboxProcess current;
    private volatile boolean closed;

    /**
     * @param taskRoot         the deployment package, extracted ({@code LAMBDA_TASK_ROOT})
     * @param runtimeClasspath the runtime interface client and what it needs
     * @param cpu              the one core the process may use
     * @param log              where the function's standard output and error go
     */
    public LambdaSandbox(Definition definition, Initialization initialization, Path taskRoot,
            List<Path> runtimeClasspath, int cpu, Path log) {
        this.definition = definition;
        this.initialization = initialization;
        this.taskRoot = taskRoot;
        this.runtimeClasspath = List.copyOf(runtimeClasspath);
        this.cpu = cpu;
        this.log = log;
    }

    public Definition definition() {
        return definition;
    }

    /** The function's standard output and error: its log, as CloudWatch would hold it. */
    public Path log() {
        return log;
    }

    /** Events the function answered with a response (not an error). */
    public int responses() {
        return responses.get();
    }

    /** How long the first call its current process answered took, or null before that: the cold invocation. */
    public Duration firstResponse() {
        return firstResponse;
    }

    /**
     * Starts the function's process if none runs and waits until it asks for its first event: the
     * cold start, init included. A failed init is an error naming what the runtime reported.
     */
    public synchronized Boot boot(Duration bound) throws IOException, InterruptedException {
        SandboxProcess process = running();
        try {
            Instant asked = process.firstNext.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return new Boot(process.started, asked);
        } catch (TimeoutException e) {
            throw new IOException(definition.name() + " asked for no event within " + bound + output());
        } catch (ExecutionException e) {
            throw new IOException(definition.name() + " did not start: " + e.getCause().getMessage() + output());
        }
    }

    @Override
    public synchronized Invocation invoke(byte[] payload) throws IOException, InterruptedException {
        SandboxProcess process = running();
        Instant asked = Instant.now();
        Pending pending = new Pending(UUID.randomUUID().toString(), payload, asked.plus(definition.timeout()),
                new CompletableFuture<>());
        process.inFlight = pending;
        process.queue.add(pending);
        if (!process.process.isAlive()) {
            // Ended before the call was in flight: its exit may have found nothing to answer.
            pending.answer().complete(process.exited());
        }
        try {
            Invocation answer = pending.answer().get(definition.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (firstResponse == null) {
                firstResponse = Duration.between(asked, Instant.now());
            }
            return answer;
        } catch (TimeoutException e) {
            LOG.warn("{} timed out after {}: the sandbox is ended", definition.name(), definition.timeout());
            process.stop();
            return Invocation.error("Sandbox.Timedout", "Task timed out after " + definition.timeout().toSeconds()
                    + " seconds");
        } catch (ExecutionException e) {
            throw new IOException(definition.name() + " failed to answer", e.getCause());
        } finally {
            process.inFlight = null;
        }
    }

    private SandboxProcess running() throws IOException {
        if (closed) {
            throw new IllegalStateException(definition.name() + "'s sandbox is closed");
        }
        SandboxProcess process = current;
        if (process == null || !process.process.isAlive()) {
            firstResponse = null;
            process = new SandboxProcess();
            current = process;
        }
        return process;
    }

    /** The end of the function's output, which goes with its directory when the local stack stops. */
    private String output() {
        try {
            String output = Files.readString(log);
            return "; its output ends:\n" + output.substring(Math.max(0, output.length() - 2_000));
        } catch (IOException unreadable) {
            return " (its output, " + log + ", is unreadable: " + unreadable + ")";
        }
    }

    /**
     * The JVM as the Java 17 runtime starts it for a function of {@code memoryMb}, on core {@code cpu}
     * alone where {@code taskset} exists: a heap of 85% of the memory, the serial collector, tier-1
     * compilation only, one processor (a small function gets a fraction of one).
     */
    public static List<String> java(int cpu, int memoryMb) {
        List<String> command = new ArrayList<>();
        if (Path.of("/usr/bin/taskset").toFile().canExecute()) {
            command.addAll(List.of("/usr/bin/taskset", "-c", Integer.toString(cpu)));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:MaxHeapSize=" + memoryMb * 1024L * 85 / 100 + "k", "-XX:+UseSerialGC",
                "-Xshare:auto", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "--add-opens=java.base/java.io=ALL-UNNAMED", "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac",
                "-XX:+ErrorFileToStderr", "-XX:ActiveProcessorCount=1"));
        return command;
    }

    /** The cores this process may run on ({@code Cpus_allowed_list}), so a sandbox is pinned to one it has. */
    public static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    List<Integer> cpus = new ArrayList<>();
                    for (String range : line.substring(line.indexOf(':') + 1).trim().split(",")) {
                        String[] bounds = range.split("-");
                        int first = Integer.parseInt(bounds[0].trim());
                        int last = Integer.parseInt(bounds[bounds.length - 1].trim());
                        for (int cpu = first; cpu <= last; cpu++) {
                            cpus.add(cpu);
                        }
                    }
                    return cpus;
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // Not Linux, or a format not known: count from 0.
        }
        return java.util.stream.IntStream.range(0, Runtime.getRuntime().availableProcessors()).boxed().toList();
    }

    /** Ends the function's process, as Lambda ends an environment; a later call starts another. */
    public void stop() {
        SandboxProcess process = current;
        if (process != null) {
            process.stop();
        }
    }

    @Override
    public void close() {
        closed = true;
        stop();
    }

    /** One process of the sandbox, and the Runtime API it alone talks to. */
    private final class SandboxProcess {

        private final HttpServer server;
        private final ExecutorService executor;
        private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        private final Map<String, Pending> running = new ConcurrentHashMap<>();
        private final CompletableFuture<Instant> firstNext = new CompletableFuture<>();
        private final Instant started;
        private final Process process;
        private volatile Pending inFlight;
        private volatile byte[] initError;

        SandboxProcess() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            executor = Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "runtime-api-" + definition.name());
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext(API + "/", this::serve);
            server.start();
            List<String> command = new ArrayList<>(java(cpu, definition.memoryMb()));
            command.add("-classpath");
            command.add(String.join(java.io.File.pathSeparator,
                    runtimeClasspath.stream().map(Path::toString).toList()));
            command.add(RUNTIME_MAIN);
            command.add(definition.handler());
            ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment(server.getAddress().getPort()));
            started = Instant.now();
            try {
                process = builder.start();
            } catch (IOException e) {
                closeApi();
                throw e;
            }
            process.onExit().thenRun(this::ended);
        }

        /** The process is gone: whatever waited on it is answered, and its Runtime API closes with it. */
        private void ended() {
            firstNext.completeExceptionally(new IOException("the runtime exited with status " + process.exitValue()));
            Pending unanswered = inFlight;
            if (unanswered != null) {
                unanswered.answer().complete(exited());
            }
            closeApi();
        }

        private void closeApi() {
            server.stop(0);
            executor.shutdownNow();
        }

        private Invocation exited() {
            byte[] reported = initError;
            if (reported != null) {
                return new Invocation(reported, true);
            }
            return Invocation.error("Runtime.ExitError", "RequestId: the runtime exited with status "
                    + (process.isAlive() ? "unknown" : Integer.toString(process.exitValue())) + " before answering"
                    + output());
        }

        /** Lambda's reserved variables, then the function's own (which may not replace them). */
        private Map<String, String> environment(int apiPort) {
            Map<String, String> environment = new LinkedHashMap<>(definition.environment());
            environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            environment.put("LANG", "en_US.UTF-8");
            environment.put("TZ", ":UTC");
            environment.put("LAMBDA_TASK_ROOT", taskRoot.toString());
            environment.put("_HANDLER", definition.handler());
            environment.put("AWS_EXECUTION_ENV", "AWS_Lambda_java17");
            environment.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + apiPort);
            environment.put("AWS_LAMBDA_FUNCTION_NAME", definition.name());
            environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(definition.memoryMb()));
            environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            environment.put("AWS_LAMBDA_INITIALIZATION_TYPE", initialization.type);
            environment.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + definition.name());
            environment.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
            return environment;
        }

        private void serve(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (path.equals(API + "/invocation/next") && "GET".equals(exchange.getRequestMethod())) {
                    next(exchange);
                    return;
                }
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (path.equals(API + "/restore/next")) {
                    // No snapshot to restore from: the process goes on as it is, its hooks having run.
                    send(exchange, 200, "");
                    return;
                }
                if (path.equals(API + "/init/error") || path.equals(API + "/restore/error")) {
                    initError = body;
                    LOG.warn("{} failed to initialise: {}", definition.name(), new String(body, StandardCharsets.UTF_8));
                    accepted(exchange);
                    return;
                }
                Matcher matcher = INVOCATION.matcher(path);
                Pending pending = matcher.matches() ? running.remove(matcher.group(1)) : null;
                if (pending == null) {
                    send(exchange, 404, "{\"errorType\":\"InvalidRequestID\",\"errorMessage\":\"unknown request\"}");
                    return;
                }
                boolean failed = matcher.group(2).equals("error");
                if (!failed) {
                    responses.incrementAndGet();
                }
                pending.answer().complete(new Invocation(body, failed));
                accepted(exchange);
            }
        }

        /** Blocks until an event is there, as the Runtime API's {@code next} does. */
        private void next(HttpExchange exchange) throws IOException {
            firstNext.complete(Instant.now());
            Pending pending;
            try {
                pending = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the process ended and its Runtime API with it
            }
            running.put(pending.requestId(), pending);
            exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", pending.requestId());
            exchange.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms",
                    Long.toString(pending.deadline().toEpochMilli()));
            exchange.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn",
                    LocalLambdaEndpoint.arn(definition.name()));
            exchange.getResponseHeaders().set("Lambda-Runtime-Trace-Id",
                    "Root=1-00000000-" + pending.requestId().replace("-", "").substring(0, 24) + ";Sampled=0");
            HttpAnswers.send(exchange, 200, "application/json", pending.payload());
        }

        /** Ends the process, as Lambda ends an environment; its exit answers what waited. */
        void stop() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void accepted(HttpExchange exchange) throws IOException {
        send(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        HttpAnswers.send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }
}
