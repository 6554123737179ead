package dev.batchline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.CompletionService;
import dev.batchline.config.AwsClients;
import dev.batchline.config.Json;
import dev.batchline.finalize.FinalizeService;
import dev.batchline.finalize.PartFailureService;
import dev.batchline.finalize.S3RecordSink;
import dev.batchline.ingest.IngestService;
import dev.batchline.ingest.StepFunctionsWorkflowStarter;
import dev.batchline.ingest.WorkflowStarter;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.JobStore;
import dev.batchline.notify.EmfJobMetrics;
import dev.batchline.notify.EventPublisher;
import dev.batchline.notify.JobMetrics;
import dev.batchline.notify.SqsEventPublisher;
import dev.batchline.poll.PollService;
import dev.batchline.provider.ApiKeyResolver;
import dev.batchline.provider.BatchProvider;
import dev.batchline.provider.OpenAiBatchClient;
import dev.batchline.provider.ProviderClients;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.submit.SubmitService;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The composition root: every service wired once from configuration and clients. Lambda handlers
 * take theirs from {@link #fromEnvironment()} (one set per container); the local runtime and the
 * tests build one with emulator clients and their own workflow starter.
 */
public final class Services {

    private static volatile Services fromEnvironment;

    private final BatchlineConfig config;
    private final S3Client s3;
    private final JobStore jobs;
    private final EventPublisher events;
    private final ProviderClients providers;
    private final Supplier<WorkflowStarter> workflow;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final JobMetrics metrics;
    private final ExecutorService recordWriters;

    public Services(BatchlineConfig config, S3Client s3, JobStore jobs, SqsClient sqs,
            Function<ProviderProfile, BatchProvider> providerFactory, Supplier<WorkflowStarter> workflow,
            ObjectMapper mapper, Clock clock, JobMetrics metrics) {
        this.config = config;
        this.s3 = s3;
        this.jobs = jobs;
        this.events = new SqsEventPublisher(sqs, config.eventsQueueUrl(), mapper);
        this.providers = new ProviderClients(config.profiles(), providerFactory);
        this.workflow = workflow;
        this.mapper = mapper;
        this.clock = clock;
        this.metrics = metrics;
        this.recordWriters = Executors.newFixedThreadPool(config.finalizing().putThreads(), r -> {
            Thread thread = new Thread(r, "batchline-record-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The services of this Lambda container, built on first use from the environment. */
    public static Services fromEnvironment() {
        Services services = fromEnvironment;
        if (services == null) {
            synchronized (Services.class) {
                services = fromEnvironment;
                if (services == null) {
                    services = build();
                    fromEnvironment = services;
                }
            }
        }
        return services;
    }

    private static Services build() {
        ObjectMapper mapper = Json.mapper();
        SnapStartPriming.register(mapper);
        BatchlineConfig config = BatchlineConfig.fromEnvironment(System.getenv(), mapper);
        AwsClients aws = AwsClients.fromEnvironment();
        S3Client s3 = aws.s3();
        Clock clock = Clock.systemUTC();
        ApiKeyResolver keys = new ApiKeyResolver(aws::secretsManager, aws::ssm, System::getenv, mapper,
                clock, Duration.ofMinutes(15));
        return new Services(config, s3, new DynamoJobStore(aws.dynamo(), config.jobsTableName(), clock,
                config.recordRetention()),
                aws.sqs(), providerFactory(s3, keys, mapper, clock),
                () -> new StepFunctionsWorkflowStarter(aws.sfn(), config.requireStateMachineArn(), mapper),
                mapper, clock, EmfJobMetrics.fromEnvironment(System.getenv()));
    }

    /** Real provider clients, their keys resolved per call from the resolver's cache. */
    public static Function<ProviderProfile, BatchProvider> providerFactory(S3Client s3, ApiKeyResolver keys,
            ObjectMapper mapper, Clock clock) {
        return profile -> new OpenAiBatchClient(profile, () -> keys.resolve(profile),
                OpenAiBatchClient.defaultHttpClient(), s3, mapper, OpenAiBatchClient.Settings.DEFAULT,
                duration -> Thread.sleep(duration.toMillis()), clock);
    }

    public IngestService ingest() {
        return new IngestService(s3, jobs, events, workflow.get(), config.profiles(), config.ingest(), mapper, clock);
    }

    public SubmitService submit() {
        return new SubmitService(jobs, providers, clock);
    }

    public PollService poll() {
        return new PollService(jobs, providers, metrics, clock);
    }

    public FinalizeService finalizer() {
        return new FinalizeService(s3, jobs, providers, S3RecordSink.factory(s3, new S3RecordSink.Settings(
                recordWriters, events, config.finalizing().recordEvents(), config.finalizing().recordOutputs(), mapper,
                clock)), config.finalizing(), mapper, clock);
    }

    public PartFailureService partFailures() {
        return new PartFailureService(jobs, providers, finalizer(), clock, config.finalizing().safetyMargin());
    }

    public CompletionService completion() {
        return new CompletionService(s3, jobs, events, metrics, partFailures(), config.finalizing().recordOutputs(),
                config.finalizing().recordEvents(), config.profiles(), mapper, clock);
    }

    public JobStore jobs() {
        return jobs;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public Clock clock() {
        return clock;
    }
}
