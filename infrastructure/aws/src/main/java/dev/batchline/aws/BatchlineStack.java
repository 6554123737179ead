package dev.batchline.aws;

import dev.batchline.job.DynamoJobStore;
import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.storage.S3Layout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.EventType;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.NotificationKeyFilter;
import software.amazon.awscdk.services.s3.notifications.SqsDestination;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * Batchline on AWS (docs/architecture.md): files land in {@code inbox/}, an S3 notification queues them
 * for the upload function, which validates, stages and starts the workflow; the workflow runs
 * the step functions from {@code statemachine/batchline.asl.json}; results, errors and events
 * come out in the same bucket and the events queue. Every function gets only what it touches.
 */
public final class BatchlineStack extends Stack {

    public static final String ALIAS = "live";

    /**
     * Staged parts, their ids and index are read until the job ends, however long its waves of parts
     * run: they are kept for the longest job the profiles allow ({@link ProviderProfile#longestJob})
     * and then this long, so a job's failed requests can be sent again from them.
     */
    static final int STAGING_DAYS_AFTER_THE_LONGEST_JOB = 14;
    /** Copies of the provider's output and error files, kept a while for audits and reprocessing. */
    static final int PROVIDER_COPY_DAYS = 30;
    static final int NONCURRENT_VERSION_DAYS = 30;

    private final Bucket bucket;
    private final Map<String, Alias> functions = new LinkedHashMap<>();
    private final StateMachine workflow;

    public BatchlineStack(Construct scope, String id, StackProps props, StackSettings settings) {
        super(scope, id, props);
        bucket = bucket(stagingDays(settings.profiles()));
        Queue uploadsDeadLetters = queue("UploadsDeadLetterQueue", null, null);
        // AWS advises a visibility timeout of six times the function timeout for SQS event sources.
        Queue uploads = queue("UploadsQueue", Duration.seconds(BatchlineFunction.UPLOAD.timeout().toSeconds() * 6),
                uploadsDeadLetters);
        bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(uploads),
                NotificationKeyFilter.builder().prefix(S3Layout.INBOX).suffix(".jsonl").build());
        Queue eventsDeadLetters = queue("EventsDeadLetterQueue", null, null);
        Queue events = queue("EventsQueue", null, eventsDeadLetters);
        Table jobs = jobsTable();

        Code code = Code.fromAsset(settings.functionsJar().toString());
        Map<String, String> environment = new LinkedHashMap<>(settings.configuration());
        environment.put("JOBS_TABLE_NAME", jobs.getTableName());
        environment.put("EVENTS_QUEUE_URL", events.getQueueUrl());
        environment.put("POWERTOOLS_SERVICE_NAME", BatchlineFunction.SERVICE_NAME);
        environment.put("POWERTOOLS_METRICS_NAMESPACE", BatchlineFunction.METRICS_NAMESPACE);
        List<PolicyStatement> providerKeys = ProviderKeyAccess.statements(this, settings.profiles());

        Alias submit = stepFunction(BatchlineFunction.SUBMIT_BATCH, code, environment);
        read(submit, S3Layout.STAGING + "*");
        Alias poll = stepFunction(BatchlineFunction.POLL_BATCH, code, environment);
        Alias finalizePart = stepFunction(BatchlineFunction.FINALIZE_PART, code, environment);
        finalizeParts(finalizePart, true);
        // A copy of a provider file cut short resumes its multipart upload: it finds the upload and its parts.
        finalizePart.getLambda().addToRolePolicy(statement(List.of("s3:ListBucketMultipartUploads"),
                bucket.getBucketArn()));
        finalizePart.getLambda().addToRolePolicy(statement(List.of("s3:ListMultipartUploadParts"),
                bucket.arnForObjects(S3Layout.PROVIDER + "*")));
        Alias failPart = stepFunction(BatchlineFunction.FAIL_PART, code, environment);
        finalizeParts(failPart, false);
        withdrawResults(failPart);
        Alias complete = stepFunction(BatchlineFunction.COMPLETE_JOB, code, environment);
        writeJobOutputs(complete);
        readMergedSegments(complete);
        Alias fail = stepFunction(BatchlineFunction.FAIL_JOB, code, environment);
        finalizeParts(fail, false);
        withdrawResults(fail);
        writeJobOutputs(fail);
        readMergedSegments(fail);
        for (Alias providerCaller : List.of(submit, poll, finalizePart, failPart, fail)) {
            providerKeys.forEach(statement -> providerCaller.getLambda().addToRolePolicy(statement));
        }
        // The table itself: no function reads the creation index (only `batchline jobs` does).
        for (Alias step : functions.values()) {
            grant(step, jobs.getTableArn(), "dynamodb:GetItem", "dynamodb:UpdateItem");
        }
        // Ending a job reads its parts.
        for (Alias ender : List.of(complete, fail)) {
            grant(ender, jobs.getTableArn(), "dynamodb:Query");
        }
        // Record events come from the steps that write records, job events from the two that end a job.
        for (Alias publisher : List.of(finalizePart, failPart, complete, fail)) {
            grant(publisher, events.getQueueArn(), "sqs:SendMessage");
        }

        workflow = workflow(settings.workflowDefinition());
        functions.values().forEach(step -> step.grantInvoke(workflow));

        Alias upload = function(BatchlineFunction.UPLOAD, code, withStateMachine(environment));
        read(upload, S3Layout.INBOX + "*");
        // An upload event names the object's version: the file read is the one uploaded, even if replaced since.
        upload.getLambda().addToRolePolicy(statement(List.of("s3:GetObjectVersion"),
                bucket.arnForObjects(S3Layout.INBOX + "*")));
        write(upload, S3Layout.STAGING + "*");
        write(upload, S3Layout.REJECTED + "*");
        // A file that cannot be staged to the end leaves no parts behind.
        upload.getLambda().addToRolePolicy(statement(List.of("s3:DeleteObject"),
                bucket.arnForObjects(S3Layout.STAGING + "*")));
        notFoundAsNotFound(upload);
        // Query: an upload event for a job whose workflow start went unrecorded starts it again with its parts.
        grant(upload, jobs.getTableArn(), "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                "dynamodb:PutItem", "dynamodb:BatchWriteItem");
        grant(upload, events.getQueueArn(), "sqs:SendMessage");
        workflow.grantStartExecution(upload);
        upload.addEventSource(SqsEventSource.Builder.create(uploads).batchSize(1).reportBatchItemFailures(true)
                .build());

        List<Alias> everyFunction = Stream.concat(Stream.of(upload), functions.values().stream()).toList();
        Operations operations = new Operations(this, "Operations", new Operations.Watched(workflow, everyFunction,
                List.of(uploadsDeadLetters, eventsDeadLetters), settings.alarmEmail()));

        output("InputBucketName", bucket.getBucketName(), "drop request files under inbox/ (or inbox/<profile>/)");
        output("EventsQueueUrl", events.getQueueUrl(), "job and record events, CloudEvents JSON");
        output("StateMachineArn", workflow.getStateMachineArn(), "the Batchline workflow");
        output("JobsTableName", jobs.getTableName(), "job and part records");
        output("AlarmTopicArn", operations.alarmTopic().getTopicArn(), "subscribe here for Batchline alarms");
        output("OperatorPolicyArn", operatorPolicy(jobs).getManagedPolicyArn(),
                "attach to whoever runs the batchline commands against this stack");
    }

    /**
     * What finalizing a part takes: its ids and index (staging), the copied provider files and
     * checkpoints (provider, each checkpoint replacing the one before), error records and their merged
     * segments, result records and theirs when the function splits a provider's output (a failed
     * part's finalize writes errors only), never a job's manifest or merged files; and listing under
     * staging/ and provider/ alone.
     */
    private void finalizeParts(Alias function, boolean writesResults) {
        read(function, S3Layout.STAGING + "*");
        read(function, S3Layout.PROVIDER + "*");
        write(function, S3Layout.PROVIDER + "*");
        function.getLambda().addToRolePolicy(statement(List.of("s3:DeleteObject"),
                bucket.arnForObjects(S3Layout.PROVIDER + "*")));
        for (boolean succeeded : writesResults ? List.of(true, false) : List.of(false)) {
            write(function, S3Layout.recordsOfAnyJob(succeeded));
            write(function, S3Layout.mergedSegmentsOfAnyJob(succeeded));
        }
        // Whether a staged or copied file is there is asked by listing its key (ObjectProbe): only there.
        function.getLambda().addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("s3:ListBucket"))
                .resources(List.of(bucket.getBucketArn()))
                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of(S3Layout.STAGING + "*",
                        S3Layout.PROVIDER + "*")))).build());
    }

    /** The merged files are made from the segments the parts wrote under results/ and errors/. */
    private void readMergedSegments(Alias function) {
        read(function, S3Layout.mergedSegmentsOfAnyJob(true));
        read(function, S3Layout.mergedSegmentsOfAnyJob(false));
    }

    /** What ending a job writes: its manifest and merged files. */
    private void writeJobOutputs(Alias function) {
        write(function, S3Layout.manifestOfAnyJob());
        write(function, S3Layout.mergedOutputOfAnyJob(true));
        write(function, S3Layout.mergedOutputOfAnyJob(false));
    }

    /** A part that failed while splitting its output removes the results its failed slice wrote past its checkpoint. */
    private void withdrawResults(Alias function) {
        function.getLambda().addToRolePolicy(statement(List.of("s3:DeleteObject"),
                bucket.arnForObjects(S3Layout.recordsOfAnyJob(true))));
    }

    /** Days staged parts are kept: the profiles' longest job, and {@link #STAGING_DAYS_AFTER_THE_LONGEST_JOB}. */
    static int stagingDays(ProviderProfiles profiles) {
        long longest = profiles.all().stream().map(ProviderProfile::longestJob)
                .mapToLong(duration -> (duration.toHours() + 23) / 24).max().orElse(0);
        return Math.toIntExact(longest + STAGING_DAYS_AFTER_THE_LONGEST_JOB);
    }

    private Bucket bucket(int stagingDays) {
        return Bucket.Builder.create(this, "Bucket")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .encryption(BucketEncryption.S3_MANAGED)
                .versioned(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .lifecycleRules(List.of(
                        expireAfter("ExpireStagedParts", S3Layout.STAGING, stagingDays),
                        expireAfter("ExpireProviderCopies", S3Layout.PROVIDER, PROVIDER_COPY_DAYS),
                        LifecycleRule.builder().id("ExpireOldVersionsAndUnfinishedUploads")
                                .noncurrentVersionExpiration(Duration.days(NONCURRENT_VERSION_DAYS))
                                .abortIncompleteMultipartUploadAfter(Duration.days(2)).build()))
                .build();
    }

    private static LifecycleRule expireAfter(String id, String prefix, int days) {
        return LifecycleRule.builder().id(id).prefix(prefix).expiration(Duration.days(days)).build();
    }

    private Queue queue(String id, Duration visibility, Queue deadLetters) {
        Queue.Builder queue = Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14));
        if (visibility != null) {
            queue.visibilityTimeout(visibility);
        }
        if (deadLetters != null) {
            queue.deadLetterQueue(DeadLetterQueue.builder().queue(deadLetters).maxReceiveCount(5).build());
        }
        return queue.build();
    }

    /** The table of {@link DynamoJobStore}, keyed as the store and the local runs key it. */
    private Table jobsTable() {
        Table table = Table.Builder.create(this, "JobsTable")
                .partitionKey(Attribute.builder().name(DynamoJobStore.PARTITION_KEY).type(AttributeType.STRING)
                        .build())
                .sortKey(Attribute.builder().name(DynamoJobStore.SORT_KEY).type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .timeToLiveAttribute(DynamoJobStore.TIME_TO_LIVE_ATTRIBUTE)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder().indexName(DynamoJobStore.CREATION_INDEX)
                .partitionKey(Attribute.builder().name(DynamoJobStore.LISTING_KEY).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(DynamoJobStore.CREATED_AT).type(AttributeType.STRING).build())
                .projectionType(ProjectionType.INCLUDE).nonKeyAttributes(DynamoJobStore.CREATION_INDEX_ATTRIBUTES)
                .build());
        return table;
    }

    /**
     * What the {@code batchline} commands do with a user's own credentials, and no more: read the
     * stack's outputs, upload to the inbox, read jobs (by the creation index too), ask for a cancel,
     * read what jobs wrote and the staged parts a retry resubmits, note a retry in the manifest,
     * and delete a job's objects and records. Attach it to the people or roles that operate Batchline.
     */
    private ManagedPolicy operatorPolicy(Table jobs) {
        List<String> jobFolders = List.of(S3Layout.STAGING, S3Layout.PROVIDER, S3Layout.RESULTS, S3Layout.ERRORS,
                S3Layout.REJECTED);
        return ManagedPolicy.Builder.create(this, "OperatorPolicy")
                .description("batchline CLI: submit, jobs, status, results, cancel, retry, delete")
                .statements(List.of(
                        statement(List.of("cloudformation:DescribeStacks"), getStackId()),
                        PolicyStatement.Builder.create().actions(List.of("dynamodb:GetItem", "dynamodb:Query",
                                "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"))
                                .resources(List.of(jobs.getTableArn(), jobs.getTableArn() + "/index/"
                                        + DynamoJobStore.CREATION_INDEX)).build(),
                        statement(List.of("s3:ListBucket"), bucket.getBucketArn()),
                        statement(List.of("s3:PutObject", "s3:AbortMultipartUpload"),
                                bucket.arnForObjects(S3Layout.INBOX + "*")),
                        statement(List.of("s3:PutObject"), bucket.arnForObjects(S3Layout.RESULTS + "*")),
                        PolicyStatement.Builder.create().actions(List.of("s3:GetObject", "s3:DeleteObject"))
                                .resources(jobFolders.stream().map(folder -> bucket.arnForObjects(folder + "*"))
                                        .toList()).build()))
                .build();
    }

    private Alias stepFunction(BatchlineFunction step, Code code, Map<String, String> environment) {
        Alias alias = function(step, code, environment);
        functions.put(step.definitionSubstitution(), alias);
        return alias;
    }

    /**
     * A Java function on SnapStart, invoked through its {@value #ALIAS} alias (SnapStart applies
     * to published versions only), with JSON logs in a log group of its own and X-Ray tracing.
     */
    private Alias function(BatchlineFunction definition, Code code, Map<String, String> environment) {
        String id = definition.id();
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs").retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY).build();
        Function function = Function.Builder.create(this, id)
                .runtime(Runtime.JAVA_17)
                .architecture(Architecture.ARM_64)
                .code(code)
                .handler(definition.handler())
                .memorySize(definition.memoryMb())
                .timeout(Duration.seconds(definition.timeout().toSeconds()))
                .description("Batchline: " + definition.description())
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .tracing(Tracing.ACTIVE)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .logGroup(logs)
                .environment(environment)
                .build();
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "invoked only through the " + ALIAS + " alias of its current version");
        return Alias.Builder.create(this, id + "Alias").aliasName(ALIAS).version(function.getCurrentVersion())
                .build();
    }

    private Map<String, String> withStateMachine(Map<String, String> environment) {
        Map<String, String> upload = new LinkedHashMap<>(environment);
        upload.put("STATE_MACHINE_ARN", workflow.getStateMachineArn());
        return upload;
    }

    /**
     * The workflow, named so that its role can name it too: the Distributed Map starts child
     * executions of this very state machine, and its ARN cannot come from the machine itself
     * without a dependency cycle.
     */
    private StateMachine workflow(String definition) {
        String name = getStackName() + "-workflow";
        Map<String, String> substitutions = new LinkedHashMap<>();
        functions.forEach((substitution, alias) -> substitutions.put(substitution, alias.getFunctionArn()));
        LogGroup logs = LogGroup.Builder.create(this, "WorkflowLogs").retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY).build();
        StateMachine machine = StateMachine.Builder.create(this, "Workflow")
                .stateMachineName(name)
                .definitionBody(DefinitionBody.fromString(definition))
                .definitionSubstitutions(substitutions)
                .tracingEnabled(true)
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(false).build())
                .build();
        machine.addToRolePolicy(statement(List.of("states:StartExecution"), formatArn(ArnComponents.builder()
                .service("states").resource("stateMachine").resourceName(name).arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build())));
        machine.addToRolePolicy(statement(List.of("states:DescribeExecution", "states:StopExecution"),
                formatArn(ArnComponents.builder().service("states").resource("execution").resourceName(name + "/*")
                        .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build())));
        return machine;
    }

    private void read(Alias function, String keys) {
        function.getLambda().addToRolePolicy(statement(List.of("s3:GetObject"), bucket.arnForObjects(keys)));
    }

    private void write(Alias function, String keys) {
        function.getLambda().addToRolePolicy(statement(List.of("s3:PutObject", "s3:AbortMultipartUpload"),
                bucket.arnForObjects(keys)));
    }

    /**
     * Without ListBucket a missing key reads as 403, not 404, and an upload deleted before it was read
     * looks like a fault rather than a file gone. S3 documents that 404 as needing ListBucket and no
     * more; the upload function may therefore list the bucket, as no step does.
     */
    private void notFoundAsNotFound(Alias function) {
        function.getLambda().addToRolePolicy(statement(List.of("s3:ListBucket"), bucket.getBucketArn()));
    }

    private static void grant(Alias function, String resource, String... actions) {
        function.getLambda().addToRolePolicy(statement(List.of(actions), resource));
    }

    private static PolicyStatement statement(List<String> actions, String resource) {
        return PolicyStatement.Builder.create().actions(actions).resources(List.of(resource)).build();
    }

    private void output(String name, String value, String description) {
        CfnOutput.Builder.create(this, name).value(value).description(description).build();
    }
}
