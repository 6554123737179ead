package dev.batchline.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.lambda.BatchlineConfig;
import dev.batchline.config.AwsClients;
import dev.batchline.config.Json;
import dev.batchline.lambda.Services;
import dev.batchline.emulators.AwsEmulators;
import dev.batchline.ingest.IngestOutcome;
import dev.batchline.ingest.StepFunctionsWorkflowStarter;
import dev.batchline.ingest.WorkflowStarter;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.JobStore;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.local.provider.Directories;
import dev.batchline.local.provider.LocalProviderServer;
import dev.batchline.provider.ApiKeyResolver;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.storage.S3Layout;
import dev.batchline.notify.JobMetrics;
import dev.batchline.operate.LocalStackState;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole of Batchline on one machine: DynamoDB Local, ElasticMQ and S3Proxy, the same handlers
 * behind a local Lambda endpoint, the same ASL file on aws-local-stepfunctions, and the local
 * provider (or a real one). A file handed to {@link #submit} goes through the upload trigger
 * exactly as an S3 event would bring it.
 */
public final class LocalPipeline implements AutoCloseable {

    public static final String BUCKET = "batchline-local";
    public static final String TABLE = "batchline-jobs";
    public static final String EVENTS_QUEUE = "batchline-events";
    public static final String STATE_MACHINE_ARN = "arn:aws:states:" + LocalLambdaEndpoint.REGION + ":"
            + LocalLambdaEndpoint.ACCOUNT + ":stateMachine:batchline";
    public static final String LOCAL_PROFILE = "local";
    private static final Duration LOCAL_RETRY_INTERVAL = Duration.ofMillis(500);
    private static final java.util.Set<String> RUN_VARIABLES = java.util.Set.of("BATCHLINE_BASE_URL",
            "BATCHLINE_API_KEY", "BATCHLINE_JAVA_OPTS");

    /**
     * @param provider         the local provider's behaviour; ignored when {@code remoteBaseUrl} is set
     * @param remoteBaseUrl    a real provider's API base, or null for the local provider
     * @param remoteKeyEnv     the environment variable holding the real provider's key
     * @param runnerDirectory  infrastructure/local/sfn (aws-local-stepfunctions installed)
     * @param definition       statemachine/batchline.asl.json
     * @param baseProfile      the profile the {@code local} one extends, with its overrides from
     *                         {@code BATCHLINE_PROFILES} in {@code env}
     * @param profileOverrides fields of the {@code local} profile set on top of everything else
     * @param env              the functions' configuration, as a deployment's environment gives it
     *                         ({@code BATCHLINE_PROFILES}, {@code BATCHLINE_FINALIZE_SLICE}, ...)
     */
    public record Settings(LocalProviderConfig provider, String remoteBaseUrl, String remoteKeyEnv,
            Path runnerDirectory, Path definition, String baseProfile, Map<String, Object> profileOverrides,
            Map<String, String> env) {
    }

    private final AwsEmulators emulators;
    private final LocalProviderServer localProvider;
    private final LocalLambdaEndpoint lambda;
    private final LocalStepFunctions stepFunctions;
    private final S3Client s3;
    private final SqsClient sqs;
    private final DynamoDbClient dynamo;
    private final JobStore jobs;
    private final String eventsQueueUrl;
    private final Map<BatchlineFunction, LocalFunction> functions;
    private final StepFunctionsApi stepFunctionsApi;
    private final ObjectMapper mapper = Json.mapper();
    private final Path workDirectory;
    private final String profiles;
    private final String defaultProfile;
    private InboxWatcher inboxWatcher;
    private final java.util.List<EmulatorGuard> guards = new java.util.ArrayList<>();

    private LocalPipeline(Settings settings, FunctionHosting hosting) throws Exception {
        // What has started is closed again, newest first, when a later step fails: a start that
        // fails leaves no emulator, server or process running and no working directory behind.
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            Path work = Files.createTempDirectory("batchline-run");
            workDirectory = work;
            started.push(() -> Directories.deleteTree(work));
            emulators = AwsEmulators.start();
            started.push(emulators);
            AwsClients aws = clients(emulators);
            s3 = aws.s3();
            sqs = aws.sqs();
            dynamo = aws.dynamo();
            s3.createBucket(r -> r.bucket(BUCKET));
            dynamo.createTable(DynamoJobStore.createTableRequest(TABLE));
            eventsQueueUrl = sqs.createQueue(r -> r.queueName(EVENTS_QUEUE)).queueUrl();
            jobs = new DynamoJobStore(dynamo, TABLE);
            String baseUrl = settings.remoteBaseUrl();
            if (baseUrl == null) {
                localProvider = LocalProviderServer.start(0, settings.provider(), null, mapper, Clock.systemUTC());
                started.push(localProvider);
                baseUrl = localProvider.baseUrl();
            } else {
                localProvider = null;
            }
            Map<String, String> environment = new LinkedHashMap<>(settings.env());
            environment.put("JOBS_TABLE_NAME", TABLE);
            environment.put("EVENTS_QUEUE_URL", eventsQueueUrl);
            environment.put("BATCHLINE_PROFILES", localProfiles(settings, baseUrl, mapper).toString());
            environment.putIfAbsent("BATCHLINE_DEFAULT_PROFILE", LOCAL_PROFILE);
            profiles = environment.get("BATCHLINE_PROFILES");
            defaultProfile = environment.get("BATCHLINE_DEFAULT_PROFILE");
            BatchlineConfig config = BatchlineConfig.fromEnvironment(environment, mapper);
            StepFunctionsHolder holder = new StepFunctionsHolder();
            // The engine needs the functions' endpoint, and the functions start its executions: resolved at each start.
            WorkflowStarter workflow = (jobId, input) -> holder.get().start(jobId, input);
            // Functions start executions through the Step Functions API, as on AWS: their calls are theirs to record.
            stepFunctionsApi = StepFunctionsApi.start(workflow);
            started.push(stepFunctionsApi);
            Map<BatchlineFunction, Duration> timeouts = callTimeouts(settings.definition());
            Map<BatchlineFunction, LocalFunction> hosted = hosting instanceof FunctionHosting.LambdaProcesses processes
                    ? sandboxed(processes, settings, environment)
                    : inProcess((FunctionHosting.InProcess) hosting, aws, config, timeouts);
            functions = hosted;
            started.push(() -> hosted.values().forEach(LocalFunction::close));
            Map<String, LocalFunction> byName = new LinkedHashMap<>();
            Map<String, String> substitutions = new LinkedHashMap<>();
            hosted.forEach((function, local) -> {
                byName.put(function.localName(), local);
                if (function.definitionSubstitution() != null) {
                    substitutions.put(function.definitionSubstitution(), LocalLambdaEndpoint.arn(function.localName()));
                }
            });
            lambda = LocalLambdaEndpoint.start(byName);
            started.pop(); // the endpoint closes the functions from now on
            started.push(lambda);
            // Against the local provider, retries need not wait as they must for a real one.
            stepFunctions = new LocalStepFunctions(settings.runnerDirectory(), settings.definition(), substitutions,
                    lambda.url(), workDirectory, settings.remoteBaseUrl() == null ? LOCAL_RETRY_INTERVAL : null);
            holder.set(stepFunctions);
        } catch (Exception | Error e) {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception | Error closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /**
     * How long one call of each function may take: its Task's {@code TimeoutSeconds}, which the
     * definition must set for every step (the upload function, called by no Task, its own timeout).
     */
    private static Map<BatchlineFunction, Duration> callTimeouts(Path definition) throws IOException {
        Map<String, Duration> taskTimeouts = LocalStepFunctions.taskTimeouts(definition);
        Map<BatchlineFunction, Duration> timeouts = new EnumMap<>(BatchlineFunction.class);
        for (BatchlineFunction function : BatchlineFunction.values()) {
            Duration timeout = function.definitionSubstitution() == null ? function.timeout()
                    : taskTimeouts.get(function.definitionSubstitution());
            if (timeout == null) {
                throw new IllegalStateException(definition + " has no Task with TimeoutSeconds calling ${"
                        + function.definitionSubstitution() + "}");
            }
            timeouts.put(function, timeout);
        }
        return timeouts;
    }

    /**
     * The functions in this JVM, each with clients of its own, as in Lambda: its calls are its own to
     * fault or record.
     */
    private Map<BatchlineFunction, LocalFunction> inProcess(FunctionHosting.InProcess hosting, AwsClients aws,
            BatchlineConfig config, Map<BatchlineFunction, Duration> timeouts) {
        Clock clock = Clock.systemUTC();
        ApiKeyResolver keys = new ApiKeyResolver(LocalPipeline::noSecretsManager, LocalPipeline::noSsm,
                System::getenv, mapper, clock, Duration.ofMinutes(15));
        Map<BatchlineFunction, LocalFunction> hosted = new EnumMap<>(BatchlineFunction.class);
        for (BatchlineFunction function : BatchlineFunction.values()) {
            ExecutionInterceptor interceptor = hosting.interceptors().apply(function);
            AwsClients own = (interceptor == null ? aws : aws.withInterceptor(interceptor))
                    .withStepFunctions(stepFunctionsApi.endpoint());
            S3Client functionS3 = own.s3();
            WorkflowStarter starter = new StepFunctionsWorkflowStarter(own.sfn(), STATE_MACHINE_ARN, mapper);
            Services services = new Services(config, functionS3, new DynamoJobStore(own.dynamo(), TABLE),
                    own.sqs(), Services.providerFactory(functionS3, keys, mapper, clock), () -> starter, mapper,
                    clock, JobMetrics.NONE);
            hosted.put(function, new InProcessFunction(function.localName(), function.handlerOver(services),
                    timeouts.get(function)));
        }
        return hosted;
    }

    /**
     * The functions each in sandboxes of their own, as deployed: the deployment's variables (its
     * references to the stack's resources filled with this stack's), then the run's configuration
     * and the emulators' endpoints.
     */
    private Map<BatchlineFunction, LocalFunction> sandboxed(FunctionHosting.LambdaProcesses processes,
            Settings settings, Map<String, String> configuration) throws IOException {
        Map<String, String> stack = Map.of("InputBucketName", BUCKET, "JobsTableName", TABLE,
                "EventsQueueUrl", eventsQueueUrl, "StateMachineArn", STATE_MACHINE_ARN);
        Map<String, String> local = new LinkedHashMap<>(configuration);
        local.putAll(awsEnvironment(emulators, stepFunctionsApi.endpoint()));
        if (settings.remoteBaseUrl() != null && System.getenv(settings.remoteKeyEnv()) != null) {
            local.put(settings.remoteKeyEnv(), System.getenv(settings.remoteKeyEnv()));
        }
        Path taskRoot = processes.extractPackage(workDirectory.resolve("task"));
        List<Integer> cpus = LambdaSandbox.allowedCpus();
        Map<BatchlineFunction, LocalFunction> hosted = new EnumMap<>(BatchlineFunction.class);
        for (BatchlineFunction function : BatchlineFunction.values()) {
            LambdaSandbox.Definition deployed = processes.deployment().apply(function);
            Map<String, String> variables = new LinkedHashMap<>(deployed.environmentFilledWith(stack));
            variables.putAll(local);
            LambdaSandbox.Definition definition = new LambdaSandbox.Definition(function.localName(),
                    deployed.handler(), deployed.memoryMb(), deployed.timeout(), variables);
            hosted.put(function, new SandboxPool(processes.concurrency(), index -> new LambdaSandbox(definition,
                    processes.initialization(), taskRoot, processes.runtimeClasspath(),
                    cpus.get((function.ordinal() + index) % cpus.size()),
                    workDirectory.resolve(function.localName() + "-" + index + ".log"))));
        }
        return hosted;
    }

    /** What a function in a process of its own needs to reach the emulators through the standard variables. */
    private static Map<String, String> awsEnvironment(AwsEmulators emulators, URI stepFunctions) {
        Map<String, String> aws = new LinkedHashMap<>();
        aws.put("AWS_REGION", AwsEmulators.REGION.id());
        aws.put("AWS_DEFAULT_REGION", AwsEmulators.REGION.id());
        aws.put("AWS_ACCESS_KEY_ID", AwsEmulators.ACCESS_KEY);
        aws.put("AWS_SECRET_ACCESS_KEY", AwsEmulators.SECRET_KEY);
        aws.put("AWS_ENDPOINT_URL_S3", emulators.s3Endpoint().toString());
        aws.put("AWS_ENDPOINT_URL_DYNAMODB", emulators.dynamoEndpoint().toString());
        aws.put("AWS_ENDPOINT_URL_SQS", emulators.sqsEndpoint().toString());
        aws.put("AWS_ENDPOINT_URL_SFN", stepFunctions.toString());
        return aws;
    }

    /**
     * The {@code BATCHLINE_*} variables of a process's environment that configure the functions, as
     * they would on AWS: all but the ones that choose the run's provider and the launcher's JVM.
     */
    public static Map<String, String> functionEnvironment(Map<String, String> environment) {
        Map<String, String> functions = new java.util.TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("BATCHLINE_") && !RUN_VARIABLES.contains(name)) {
                functions.put(name, value);
            }
        });
        return functions;
    }

    /**
     * The user's {@code BATCHLINE_PROFILES} with the {@code local} profile added: it extends the base
     * profile as the user configured it, and the run sets only where the provider is and, unless the
     * user chose the waits, short polls.
     */
    static ObjectNode localProfiles(Settings settings, String baseUrl, ObjectMapper mapper) throws IOException {
        String configured = settings.env().get("BATCHLINE_PROFILES");
        JsonNode parsed = configured == null || configured.isBlank() ? mapper.createObjectNode()
                : mapper.readTree(configured);
        if (!parsed.isObject()) {
            throw new IllegalArgumentException("BATCHLINE_PROFILES must be a JSON object keyed by profile name");
        }
        ObjectNode profiles = (ObjectNode) parsed;
        ObjectNode local = profiles.path(LOCAL_PROFILE) instanceof ObjectNode own ? own : mapper.createObjectNode();
        if (!local.has("extends")) {
            local.put("extends", settings.baseProfile());
        }
        local.put("baseUrl", baseUrl);
        local.put("apiKeyRef", settings.remoteBaseUrl() == null ? "" : "env:" + settings.remoteKeyEnv());
        JsonNode base = profiles.path(local.get("extends").asText());
        if (Stream.of(local, base).noneMatch(p -> p.has("initialPollSeconds") || p.has("maxPollSeconds"))) {
            local.put("initialPollSeconds", 1).put("maxPollSeconds", 3);
        }
        local.setAll((ObjectNode) mapper.valueToTree(settings.profileOverrides()));
        profiles.remove(LOCAL_PROFILE);
        profiles.set(LOCAL_PROFILE, local);
        return profiles;
    }

    /** The workflow engine exists only once the Lambda endpoint does. */
    private static final class StepFunctionsHolder {
        private LocalStepFunctions value;

        void set(LocalStepFunctions stepFunctions) {
            value = stepFunctions;
        }

        LocalStepFunctions get() {
            return value;
        }
    }

    private static software.amazon.awssdk.services.secretsmanager.SecretsManagerClient noSecretsManager() {
        throw new IllegalStateException("local runs take API keys from environment variables (env:NAME)");
    }

    private static software.amazon.awssdk.services.ssm.SsmClient noSsm() {
        throw new IllegalStateException("local runs take API keys from environment variables (env:NAME)");
    }

    /** The functions' own client factory, pointed at the emulators. */
    public static AwsClients clients(AwsEmulators emulators) {
        return AwsClients.forEndpoints(new AwsClients.Endpoints(AwsEmulators.REGION, AwsEmulators.ACCESS_KEY,
                AwsEmulators.SECRET_KEY, emulators.s3Endpoint(), emulators.dynamoEndpoint(), emulators.sqsEndpoint()));
    }

    public static LocalPipeline start(Settings settings) throws Exception {
        return new LocalPipeline(settings, FunctionHosting.InProcess.plain());
    }

    /** A pipeline whose functions' AWS calls also go through {@code functionsInterceptor}: the fault tests' hook. */
    public static LocalPipeline start(Settings settings, ExecutionInterceptor functionsInterceptor) throws Exception {
        return new LocalPipeline(settings, new FunctionHosting.InProcess(function -> functionsInterceptor));
    }

    public static LocalPipeline start(Settings settings, FunctionHosting hosting) throws Exception {
        return new LocalPipeline(settings, hosting);
    }

    /**
     * Puts the file into {@code inbox/<profile>/} and hands the upload trigger the S3 event of it;
     * returns the trigger's answer (the job id and what became of it).
     */
    public JsonNode submit(Path file, String profile) throws IOException {
        String key = S3Layout.inboxKey(profile, file.getFileName().toString());
        String etag = s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromFile(file)).eTag()
                .replace("\"", "");
        return trigger(key, etag, Files.size(file)).path("outcomes").get(0);
    }

    /** Delivers an S3 ObjectCreated event for {@code key} to the upload trigger, as S3 (again) would. */
    public JsonNode trigger(String key, String etag, long size) throws IOException {
        ObjectNode object = mapper.createObjectNode().put("key", URLEncoder.encode(key, StandardCharsets.UTF_8))
                .put("size", size).put("eTag", etag);
        ObjectNode record = mapper.createObjectNode().put("eventSource", "aws:s3")
                .put("eventName", "ObjectCreated:Put");
        ObjectNode s3Entity = record.putObject("s3");
        s3Entity.putObject("bucket").put("name", BUCKET);
        s3Entity.set("object", object);
        ObjectNode event = mapper.createObjectNode();
        event.putArray("Records").add(record);
        LocalFunction.Invocation invocation;
        try {
            invocation = functions.get(BatchlineFunction.UPLOAD).invoke(mapper.writeValueAsBytes(event));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the upload function ran");
        }
        if (invocation.functionError()) {
            throw new IOException("the upload function failed: "
                    + new String(invocation.payload(), StandardCharsets.UTF_8));
        }
        return mapper.readTree(invocation.payload());
    }

    /**
     * Keeps the pipeline up for clients of other processes: a file put into {@code inbox/} by any
     * S3 client starts a job (the inbox is listed every {@code inboxInterval}, each new object
     * announced to the upload trigger once, as S3 notifications would), and the emulators are
     * reached through {@link EmulatorGuard}s that keep web pages out. Returns what those clients
     * need, as {@code .batchline/local.json} holds it.
     */
    public synchronized LocalStackState stayUp(Duration inboxInterval, long pid, Instant startedAt) throws Exception {
        if (inboxWatcher == null) {
            inboxWatcher = new InboxWatcher(s3, BUCKET, (key, etag, size) -> {
                JsonNode outcome = trigger(key, etag, size).path("outcomes").path(0);
                return !mapper.treeToValue(outcome, IngestOutcome.class).heldByAnotherReader();
            });
            inboxWatcher.start(inboxInterval);
            guards.add(EmulatorGuard.start(emulators.s3Endpoint(), EmulatorGuard.Api.S3));
            guards.add(EmulatorGuard.start(emulators.dynamoEndpoint(), EmulatorGuard.Api.AWS_JSON));
            guards.add(EmulatorGuard.start(emulators.sqsEndpoint(), EmulatorGuard.Api.AWS_JSON));
        }
        URI sqs = guards.get(2).endpoint();
        URI queue = URI.create(eventsQueueUrl);
        return new LocalStackState(pid, startedAt, AwsEmulators.REGION.id(), AwsEmulators.ACCESS_KEY,
                AwsEmulators.SECRET_KEY, guards.get(0).endpoint(), guards.get(1).endpoint(), sqs, BUCKET, TABLE,
                sqs.resolve(queue.getRawPath()).toString(), localProviderUrl(), defaultProfile, profiles);
    }

    public LocalStepFunctions.Outcome await(String jobId, Duration timeout) throws InterruptedException {
        return stepFunctions.await(jobId, timeout);
    }

    /** The profile the stack's jobs run with (the chosen provider profile with the run's settings). */
    public ProviderProfile localProfile() {
        return ProviderProfiles.withOverrides(profiles, mapper).require(LOCAL_PROFILE);
    }

    public boolean ended(String jobId) {
        return stepFunctions.ended(jobId);
    }

    public S3Client s3() {
        return s3;
    }

    /** The functions as the pipeline runs them, in this JVM or in sandboxes of their own. */
    public Map<BatchlineFunction, LocalFunction> functions() {
        return java.util.Collections.unmodifiableMap(functions);
    }

    public SqsClient sqs() {
        return sqs;
    }

    public JobStore jobs() {
        return jobs;
    }

    public String eventsQueueUrl() {
        return eventsQueueUrl;
    }

    /** The local provider's API base, or null when a real provider is used. */
    public String localProviderUrl() {
        return localProvider == null ? null : localProvider.baseUrl();
    }

    @Override
    public void close() throws Exception {
        synchronized (this) {
            if (inboxWatcher != null) {
                inboxWatcher.close();
            }
            for (EmulatorGuard guard : guards) {
                guard.close();
            }
        }
        stepFunctions.stopAll();
        lambda.close();
        stepFunctionsApi.close();
        if (localProvider != null) {
            localProvider.close();
        }
        emulators.close();
        // The engine's files and the unpacked functions (about 130 MB) are the run's alone.
        Directories.deleteTree(workDirectory);
    }
}
