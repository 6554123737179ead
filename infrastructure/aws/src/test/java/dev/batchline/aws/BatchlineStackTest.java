package dev.batchline.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.DynamoJobStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.lambda.UploadHandler;
import dev.batchline.lambda.PollBatchHandler;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The synthesised template (CDK assertions, offline): resources and their key properties, each
 * function's IAM statements, the workflow definition and its substitutions, alarms and outputs.
 */
class BatchlineStackTest {

    private static final String ACCOUNT = SynthesizedStack.ACCOUNT;
    private static final String REGION = SynthesizedStack.REGION;
    private static final String OPENAI_SECRET = SynthesizedStack.OPENAI_SECRET;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Path root;
    private static Template template;
    private static JsonNode resources;

    @BeforeAll
    static void synthesise() {
        root = SynthesizedStack.ROOT;
        template = SynthesizedStack.template();
        resources = MAPPER.valueToTree(template.toJSON()).path("Resources");
    }

    /**
     * Staged parts outlive every job: the rule is sized from the profiles' longest job (parts in
     * waves, each to its deadline), which grows with the profiles configured.
     */
    @Test
    void stagedParts_areKeptPastTheLongestJobAnyProfileAllows() {
        for (ProviderProfile profile : ProviderProfiles.presets().all()) {
            assertThat((long) BatchlineStack.stagingDays(ProviderProfiles.presets())).as(profile.name())
                    .isGreaterThanOrEqualTo(profile.longestJob().toDays() + BatchlineStack.STAGING_DAYS_AFTER_THE_LONGEST_JOB);
        }
        // OVHcloud: 5,000,000 requests in parts of 50,000 and 10,000 MB in parts of 198 MB make at most
        // 152 parts, 31 waves of 5, each 1.75 days + 300 s + a day.
        assertThat(ProviderProfiles.OVHCLOUD.longestJob()).isEqualTo(
                java.time.Duration.ofHours(42).plusSeconds(300).plusDays(1).multipliedBy(31));
        ProviderProfiles slower = ProviderProfiles.withOverrides("{\"ovhcloud\": {\"maxConcurrentBatches\": 1}}",
                MAPPER);
        assertThat(BatchlineStack.stagingDays(slower)).isGreaterThan(
                BatchlineStack.stagingDays(ProviderProfiles.presets()));
    }

    @Test
    void bucket_isPrivateEncryptedVersionedTlsOnly_andExpiresWorkingCopies() {
        template.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "LifecycleConfiguration", Map.of("Rules", Match.arrayWith(List.of(
                        Map.of("Id", "ExpireStagedParts", "Prefix", "staging/", "ExpirationInDays",
                                BatchlineStack.stagingDays(ProviderProfiles.presets()), "Status", "Enabled"),
                        Map.of("Id", "ExpireProviderCopies", "Prefix", "provider/", "ExpirationInDays",
                                BatchlineStack.PROVIDER_COPY_DAYS, "Status", "Enabled"),
                        Match.objectLike(Map.of("NoncurrentVersionExpiration", Map.of("NoncurrentDays",
                                BatchlineStack.NONCURRENT_VERSION_DAYS))))))));
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Effect", "Deny", "Condition", Map.of("Bool",
                        Map.of("aws:SecureTransport", "false")))))))));
    }

    @Test
    void inboxJsonlUploads_areQueuedForTheUploadFunction_withADeadLetterQueue() {
        template.hasResourceProperties("Custom::S3BucketNotifications", Map.of("NotificationConfiguration",
                Map.of("QueueConfigurations", List.of(Map.of(
                        "Events", List.of("s3:ObjectCreated:*"),
                        "Filter", Map.of("Key", Map.of("FilterRules", List.of(
                                Map.of("Name", "suffix", "Value", ".jsonl"),
                                Map.of("Name", "prefix", "Value", "inbox/")))),
                        "QueueArn", Map.of("Fn::GetAtt", List.of(logicalId("AWS::SQS::Queue", "UploadsQueue"),
                                "Arn")))))));
        JsonNode uploads = resource("AWS::SQS::Queue", "UploadsQueue").path("Properties");
        assertThat(uploads.path("VisibilityTimeout").asInt()).isEqualTo(6 * 15 * 60);
        assertThat(uploads.path("RedrivePolicy").path("maxReceiveCount").asInt()).isEqualTo(5);
        assertThat(uploads.path("RedrivePolicy").path("deadLetterTargetArn").path("Fn::GetAtt").get(0).asText())
                .isEqualTo(logicalId("AWS::SQS::Queue", "UploadsDeadLetterQueue"));
        JsonNode mapping = only("AWS::Lambda::EventSourceMapping").path("Properties");
        assertThat(mapping.path("BatchSize").asInt()).isEqualTo(1);
        assertThat(texts(mapping.path("FunctionResponseTypes"))).containsExactly("ReportBatchItemFailures");
        assertThat(flatten(mapping.path("EventSourceArn"))).isEqualTo("${" + logicalId("AWS::SQS::Queue",
                "UploadsQueue") + ".Arn}");
        assertThat(flatten(mapping.path("FunctionName"))).contains(logicalId("AWS::Lambda::Alias", "UploadAlias"))
                .endsWith(":" + BatchlineStack.ALIAS);
    }

    @Test
    void eventsQueue_hasADeadLetterQueue_andEveryQueueIsEncryptedAndTlsOnly() {
        JsonNode events = resource("AWS::SQS::Queue", "EventsQueue").path("Properties");
        assertThat(events.path("RedrivePolicy").path("deadLetterTargetArn").path("Fn::GetAtt").get(0).asText())
                .isEqualTo(logicalId("AWS::SQS::Queue", "EventsDeadLetterQueue"));
        for (JsonNode queue : ofType("AWS::SQS::Queue").values()) {
            assertThat(queue.path("Properties").path("SqsManagedSseEnabled").asBoolean()).isTrue();
        }
        assertThat(ofType("AWS::SQS::QueuePolicy")).hasSize(4);
    }

    @Test
    void functions_areJavaOnSnapStartWithJsonLogsTracingAndPowertoolsNames() {
        Map<String, JsonNode> functions = ofType("AWS::Lambda::Function");
        Map<String, String> handlers = new HashMap<>();
        functions.forEach((id, function) -> {
            JsonNode properties = function.path("Properties");
            if (properties.path("Runtime").asText().startsWith("java")) {
                handlers.put(properties.path("Handler").asText(), id);
                assertThat(properties.path("Runtime").asText()).isEqualTo("java17");
                assertThat(properties.path("SnapStart").path("ApplyOn").asText()).isEqualTo("PublishedVersions");
                assertThat(properties.path("TracingConfig").path("Mode").asText()).isEqualTo("Active");
                assertThat(properties.path("LoggingConfig").path("LogFormat").asText()).isEqualTo("JSON");
                JsonNode environment = properties.path("Environment").path("Variables");
                assertThat(environment.path("POWERTOOLS_SERVICE_NAME").asText()).isEqualTo("batchline");
                assertThat(environment.path("POWERTOOLS_METRICS_NAMESPACE").asText()).isEqualTo("Batchline");
                assertThat(environment.path("BATCHLINE_RECORD_EVENTS").asText()).isEqualTo("failures");
                assertThat(environment.path("JOBS_TABLE_NAME").path("Ref").asText())
                        .isEqualTo(logicalId("AWS::DynamoDB::Table", "JobsTable"));
                assertThat(environment.toString()).doesNotContain("sk-");
            }
        });
        assertThat(handlers).containsOnlyKeys(
                "dev.batchline.lambda.UploadHandler::handleRequest",
                "dev.batchline.lambda.SubmitBatchHandler::handleRequest",
                "dev.batchline.lambda.PollBatchHandler::handleRequest",
                "dev.batchline.lambda.FinalizePartHandler::handleRequest",
                "dev.batchline.lambda.FailPartHandler::handleRequest",
                "dev.batchline.lambda.CompleteJobHandler::handleRequest",
                "dev.batchline.lambda.FailJobHandler::handleRequest");
        assertThat(functions.get(handlers.get(UploadHandler.class.getName() + "::handleRequest"))
                .path("Properties").path("Environment").path("Variables").has("STATE_MACHINE_ARN")).isTrue();
        assertThat(functions.get(handlers.get(PollBatchHandler.class.getName() + "::handleRequest"))
                .path("Properties").path("Environment").path("Variables").has("STATE_MACHINE_ARN")).isFalse();
    }

    @Test
    void functionTimeouts_fitInsideTheirTaskTimeoutsInTheWorkflow() throws Exception {
        JsonNode definition = MAPPER.readTree(definitionString());
        Map<String, Integer> taskTimeouts = new HashMap<>();
        collectTasks(definition.path("States"), taskTimeouts);
        assertThat(taskTimeouts).containsOnlyKeys("SubmitBatch", "PollBatch", "FinalizePart", "FailPart",
                "CompleteJob", "FailJob");
        taskTimeouts.forEach((function, timeout) -> {
            JsonNode properties = resource("AWS::Lambda::Function", function).path("Properties");
            assertThat(properties.path("Timeout").asInt()).as(function).isLessThanOrEqualTo(timeout);
        });
    }

    @Test
    void workflow_isTheAslFile_withEveryPlaceholderBoundToAFunctionAlias_loggedAndTraced() throws Exception {
        JsonNode machine = only("AWS::StepFunctions::StateMachine").path("Properties");
        String definition = definitionString();
        assertThat(MAPPER.readTree(definition)).isEqualTo(MAPPER.readTree(
                java.nio.file.Files.readString(root.resolve(StackSettings.DEFINITION))));
        Set<String> placeholders = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\$\\{(\\w+)}").matcher(definition);
        while (matcher.find()) {
            placeholders.add(matcher.group(1));
        }
        JsonNode substitutions = machine.path("DefinitionSubstitutions");
        assertThat(placeholders).containsExactlyInAnyOrder("SubmitBatchFunctionArn", "PollBatchFunctionArn",
                "FinalizePartFunctionArn", "FailPartFunctionArn", "CompleteJobFunctionArn", "FailJobFunctionArn");
        for (String placeholder : placeholders) {
            String function = placeholder.replace("FunctionArn", "");
            assertThat(substitutions.path(placeholder).path("Ref").asText()).as(placeholder)
                    .isEqualTo(logicalId("AWS::Lambda::Alias", function + "Alias"));
        }
        assertThat(machine.path("TracingConfiguration").path("Enabled").asBoolean()).isTrue();
        assertThat(machine.path("LoggingConfiguration").path("Level").asText()).isEqualTo("ALL");
        assertThat(machine.path("StateMachineName").asText()).isEqualTo("Batchline-workflow");
    }

    @Test
    void workflowRole_invokesItsFunctionsAndStartsOnlyItsOwnChildExecutions() {
        List<JsonNode> statements = statementsOfRole(roleOf(only("AWS::StepFunctions::StateMachine")));
        assertThat(flatten(statement(statements, "states:StartExecution").path("Resource")))
                .isEqualTo("arn:${AWS::Partition}:states:" + REGION + ":" + ACCOUNT + ":stateMachine:Batchline-workflow");
        assertThat(flatten(statement(statements, "states:DescribeExecution").path("Resource")))
                .isEqualTo("arn:${AWS::Partition}:states:" + REGION + ":" + ACCOUNT + ":execution:Batchline-workflow/*");
        Set<String> invoked = new TreeSet<>();
        for (JsonNode statement : statements) {
            if (actions(statement).contains("lambda:InvokeFunction")) {
                for (JsonNode resource : resourcesOf(statement)) {
                    invoked.add(resource.path("Ref").asText());
                }
            }
        }
        assertThat(invoked).contains(logicalId("AWS::Lambda::Alias", "SubmitBatchAlias"),
                logicalId("AWS::Lambda::Alias", "FailJobAlias")).doesNotContain(
                logicalId("AWS::Lambda::Alias", "UploadAlias"));
    }

    @Test
    void uploadFunction_readsTheInboxWritesStagingAndRejected_andStartsTheWorkflow() {
        List<JsonNode> statements = functionStatements("Upload");
        assertThat(objectKeys(statements, "s3:GetObject")).containsExactly("inbox/*");
        assertThat(objectKeys(statements, "s3:PutObject")).containsExactlyInAnyOrder("staging/*", "rejected/*");
        assertThat(objectKeys(statements, "s3:DeleteObject")).containsExactly("staging/*");
        assertThat(statement(statements, "states:StartExecution").path("Resource").path("Ref").asText())
                .isEqualTo(logicalId("AWS::StepFunctions::StateMachine", "Workflow"));
        assertThat(allActions(statements)).contains("dynamodb:PutItem", "dynamodb:BatchWriteItem",
                "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage")
                .doesNotContain("secretsmanager:GetSecretValue", "ssm:GetParameter", "dynamodb:DeleteItem",
                        "dynamodb:Scan");
    }

    @Test
    void stepFunctions_touchOnlyTheirOwnKeys_andOnlyProviderCallersReadTheKeys() {
        assertThat(objectKeys(functionStatements("SubmitBatch"), "s3:GetObject")).containsExactly("staging/*");
        assertThat(objectKeys(functionStatements("SubmitBatch"), "s3:PutObject")).isEmpty();
        assertThat(allActions(functionStatements("PollBatch"))).noneMatch(action -> action.startsWith("s3:"));
        assertThat(objectKeys(functionStatements("FinalizePart"), "s3:PutObject"))
                .containsExactlyInAnyOrder("provider/*", "results/*/records/*", "results/*/merged/*",
                        "errors/*/records/*", "errors/*/merged/*");
        assertThat(objectKeys(functionStatements("FinalizePart"), "s3:GetObject"))
                .containsExactlyInAnyOrder("staging/*", "provider/*");
        assertThat(objectKeys(functionStatements("FinalizePart"), "s3:DeleteObject")).containsExactly("provider/*");
        assertThat(objectKeys(functionStatements("FinalizePart"), "s3:ListMultipartUploadParts"))
                .containsExactly("provider/*");
        assertThat(texts(resourcesOf(statement(functionStatements("FinalizePart"), "s3:ListBucketMultipartUploads"))))
                .containsExactly("${" + logicalId("AWS::S3::Bucket", "Bucket") + ".Arn}");
        for (String other : List.of("Upload", "SubmitBatch", "PollBatch", "FailPart", "CompleteJob", "FailJob")) {
            assertThat(allActions(functionStatements(other))).doesNotContain("s3:ListBucketMultipartUploads",
                    "s3:ListMultipartUploadParts");
        }
        // Only the two that end a job write manifests and merged files, from the segments the parts wrote.
        assertThat(objectKeys(functionStatements("CompleteJob"), "s3:PutObject"))
                .containsExactlyInAnyOrder("results/*/manifest.json", "results/*/output.jsonl", "errors/*/errors.jsonl");
        assertThat(objectKeys(functionStatements("CompleteJob"), "s3:GetObject"))
                .containsExactlyInAnyOrder("results/*/merged/*", "errors/*/merged/*");
        assertThat(objectKeys(functionStatements("FailJob"), "s3:GetObject"))
                .containsExactlyInAnyOrder("staging/*", "provider/*", "results/*/merged/*", "errors/*/merged/*");
        assertThat(objectKeys(functionStatements("FailPart"), "s3:GetObject"))
                .containsExactlyInAnyOrder("staging/*", "provider/*");
        // A failed part's finalize writes error records only, and withdraws results a failed slice wrote.
        assertThat(objectKeys(functionStatements("FailPart"), "s3:PutObject"))
                .containsExactlyInAnyOrder("provider/*", "errors/*/records/*", "errors/*/merged/*");
        assertThat(objectKeys(functionStatements("FailJob"), "s3:PutObject"))
                .containsExactlyInAnyOrder("provider/*", "errors/*/records/*", "errors/*/merged/*",
                        "results/*/manifest.json", "results/*/output.jsonl", "errors/*/errors.jsonl");
        for (String ender : List.of("FailPart", "FailJob")) {
            assertThat(objectKeys(functionStatements(ender), "s3:DeleteObject")).as(ender)
                    .containsExactlyInAnyOrder("provider/*", "results/*/records/*");
        }
        // The finalizing steps list only where they ask whether a file is there; the upload function may list all.
        for (String finalizer : List.of("FinalizePart", "FailPart", "FailJob")) {
            assertThat(texts(statement(functionStatements(finalizer), "s3:ListBucket").path("Condition")
                    .path("StringLike").path("s3:prefix"))).as(finalizer)
                    .containsExactlyInAnyOrder("staging/*", "provider/*");
        }
        assertThat(statement(functionStatements("Upload"), "s3:ListBucket").has("Condition")).isFalse();
        for (String caller : List.of("SubmitBatch", "PollBatch", "FinalizePart", "FailPart", "FailJob")) {
            List<JsonNode> statements = functionStatements(caller);
            assertThat(texts(resourcesOf(statement(statements, "secretsmanager:GetSecretValue"))))
                    .containsExactlyInAnyOrder(OPENAI_SECRET, OPENAI_SECRET + "-??????");
            assertThat(texts(resourcesOf(statement(statements, "ssm:GetParameter"))))
                    .containsExactly("arn:${AWS::Partition}:ssm:" + REGION + ":" + ACCOUNT + ":parameter/batchline/nebius");
            JsonNode decrypt = statement(statements, "kms:Decrypt");
            assertThat(texts(resourcesOf(decrypt)))
                    .containsExactly("arn:${AWS::Partition}:kms:" + REGION + ":" + ACCOUNT + ":key/*");
            assertThat(texts(decrypt.path("Condition").path("StringEquals").path("kms:ViaService")))
                    .containsExactlyInAnyOrder("secretsmanager." + REGION + ".amazonaws.com",
                            "ssm." + REGION + ".amazonaws.com");
        }
        assertThat(allActions(functionStatements("CompleteJob")))
                .doesNotContain("secretsmanager:GetSecretValue", "ssm:GetParameter", "states:StartExecution",
                        "kms:Decrypt");
        // Only the steps that publish may send to the events queue.
        for (String silent : List.of("SubmitBatch", "PollBatch")) {
            assertThat(allActions(functionStatements(silent))).as(silent).doesNotContain("sqs:SendMessage");
        }
        for (String publisher : List.of("Upload", "FinalizePart", "FailPart", "CompleteJob", "FailJob")) {
            assertThat(allActions(functionStatements(publisher))).as(publisher).contains("sqs:SendMessage");
        }
    }

    @Test
    void noFunctionStatement_grantsEveryActionOrEveryResource_butXRay() {
        for (String function : List.of("Upload", "SubmitBatch", "PollBatch", "FinalizePart", "FailPart",
                "CompleteJob", "FailJob")) {
            for (JsonNode statement : functionStatements(function)) {
                assertThat(actions(statement)).as(function).noneMatch(action -> action.equals("*")
                        || action.endsWith(":*"));
                if (texts(resourcesOf(statement)).contains("*")) {
                    assertThat(actions(statement)).as(function + ": " + statement)
                            .allMatch(action -> action.startsWith("xray:"));
                }
            }
        }
    }

    @Test
    void jobsTable_isOnDemand_withPointInTimeRecoveryAndTimeToLive_keyedAsTheStore() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH"),
                        Map.of("AttributeName", "sk", "KeyType", "RANGE")),
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true)));
        assertThat(only("AWS::DynamoDB::Table").path("DeletionPolicy").asText()).isEqualTo("Retain");
        // batchline jobs lists the newest jobs from this index: the table is never scanned.
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of("GlobalSecondaryIndexes", List.of(Map.of(
                "IndexName", DynamoJobStore.CREATION_INDEX,
                "KeySchema", List.of(Map.of("AttributeName", DynamoJobStore.LISTING_KEY, "KeyType", "HASH"),
                        Map.of("AttributeName", DynamoJobStore.CREATED_AT, "KeyType", "RANGE")),
                "Projection", Map.of("ProjectionType", "INCLUDE", "NonKeyAttributes", List.of("status"))))));
    }

    @Test
    void operatorPolicy_allowsWhatTheCommandsDo_andNoMore() {
        JsonNode policy = only("AWS::IAM::ManagedPolicy");
        List<JsonNode> statements = new ArrayList<>();
        policy.path("Properties").path("PolicyDocument").path("Statement").forEach(statements::add);
        assertThat(allActions(statements)).containsExactlyInAnyOrder("cloudformation:DescribeStacks",
                "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:BatchWriteItem", "s3:ListBucket", "s3:PutObject", "s3:AbortMultipartUpload",
                "s3:GetObject", "s3:DeleteObject");
        assertThat(texts(resourcesOf(statement(statements, "cloudformation:DescribeStacks"))))
                .containsExactly("${AWS::StackId}");
        String table = "${" + logicalId("AWS::DynamoDB::Table", "JobsTable") + ".Arn}";
        assertThat(texts(resourcesOf(statement(statements, "dynamodb:Query"))))
                .containsExactlyInAnyOrder(table, table + "/index/" + DynamoJobStore.CREATION_INDEX);
        assertThat(objectKeys(statements, "s3:PutObject")).containsExactlyInAnyOrder("inbox/*", "results/*");
        assertThat(objectKeys(statements, "s3:GetObject")).containsExactlyInAnyOrder("staging/*", "provider/*",
                "results/*", "errors/*", "rejected/*");
        assertThat(objectKeys(statements, "s3:DeleteObject")).containsExactlyInAnyOrder("staging/*", "provider/*",
                "results/*", "errors/*", "rejected/*");
        assertThat(MAPPER.valueToTree(template.toJSON()).path("Outputs").path("OperatorPolicyArn").path("Value")
                .path("Ref").asText()).isEqualTo(logicalId("AWS::IAM::ManagedPolicy", "OperatorPolicy"));
    }

    @Test
    void alarms_watchDeadLettersFailuresErrorsAndOverdueJobs_andNotifyOneTopic() {
        Map<String, JsonNode> alarms = ofType("AWS::CloudWatch::Alarm");
        List<String> metrics = new ArrayList<>();
        String topic = logicalId("AWS::SNS::Topic", "OperationsAlarmTopic");
        alarms.values().forEach(alarm -> {
            JsonNode properties = alarm.path("Properties");
            metrics.add(properties.path("Namespace").asText() + "/" + properties.path("MetricName").asText());
            assertThat(properties.path("AlarmActions").get(0).path("Ref").asText()).isEqualTo(topic);
        });
        assertThat(metrics).containsOnly("AWS/SQS/ApproximateNumberOfMessagesVisible", "AWS/States/ExecutionsFailed",
                "AWS/Lambda/Errors", "Batchline/RunningJobAgeSeconds");
        assertThat(metrics).filteredOn("AWS/Lambda/Errors"::equals).hasSize(7);
        assertThat(metrics).filteredOn("AWS/SQS/ApproximateNumberOfMessagesVisible"::equals).hasSize(2);
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of("MetricName", "RunningJobAgeSeconds",
                "Threshold", Operations.OVERDUE_JOB.toSeconds().doubleValue(), "Statistic", "Maximum",
                "Dimensions", List.of(Map.of("Name", "Service", "Value", "batchline"))));
        template.hasResourceProperties("AWS::SNS::Subscription", Map.of("Protocol", "email",
                "Endpoint", "oncall@example.com"));
        template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    }

    @Test
    void outputs_namedInPascalCase() {
        JsonNode outputs = MAPPER.valueToTree(template.toJSON()).path("Outputs");
        assertThat(outputs.path("InputBucketName").path("Value").path("Ref").asText())
                .isEqualTo(logicalId("AWS::S3::Bucket", "Bucket"));
        assertThat(outputs.path("EventsQueueUrl").path("Value").path("Ref").asText())
                .isEqualTo(logicalId("AWS::SQS::Queue", "EventsQueue"));
        assertThat(outputs.path("StateMachineArn").path("Value").path("Ref").asText())
                .isEqualTo(logicalId("AWS::StepFunctions::StateMachine", "Workflow"));
        assertThat(outputs.path("JobsTableName").path("Value").path("Ref").asText())
                .isEqualTo(logicalId("AWS::DynamoDB::Table", "JobsTable"));
        assertThat(outputs.path("AlarmTopicArn").path("Value").path("Ref").asText())
                .isEqualTo(logicalId("AWS::SNS::Topic", "OperationsAlarmTopic"));
    }

    @Test
    void synthesis_refusesAKeyReferenceOnlyALocalRunCanRead_withoutShowingIt() {
        Map<String, Object> context = Map.of("batchline:profiles", "{\"openai\": {\"apiKeyRef\": \"sk-live-123\"}}");
        assertThatThrownBy(() -> SynthesizedStack.stack(context)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("profile openai").hasMessageNotContaining("sk-live-123");
    }

    @Test
    void synthesis_refusesABadProfile_namingTheProblem() {
        Map<String, Object> context = Map.of("batchline:profiles", "{\"gateway\": {\"extends\": \"nope\"}}");
        assertThatThrownBy(() -> SynthesizedStack.stack(context)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway extends unknown profile");
    }

    private static String definitionString() {
        return only("AWS::StepFunctions::StateMachine").path("Properties").path("DefinitionString").asText();
    }

    private static void collectTasks(JsonNode states, Map<String, Integer> timeouts) {
        states.fields().forEachRemaining(state -> {
            JsonNode body = state.getValue();
            if (body.path("Type").asText().equals("Task")) {
                // Keyed by the function called (two states may call one), its shortest Task time-out.
                String function = body.path("Resource").asText().replaceAll("^\\$\\{(\\w+)FunctionArn}$", "$1");
                timeouts.merge(function, body.path("TimeoutSeconds").asInt(), Math::min);
            }
            if (body.has("ItemProcessor")) {
                collectTasks(body.path("ItemProcessor").path("States"), timeouts);
            }
        });
    }

    private static Map<String, JsonNode> ofType(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        resources.fields().forEachRemaining(entry -> {
            if (entry.getValue().path("Type").asText().equals(type)) {
                found.put(entry.getKey(), entry.getValue());
            }
        });
        return found;
    }

    private static JsonNode only(String type) {
        Map<String, JsonNode> found = ofType(type);
        assertThat(found).as(type).hasSize(1);
        return found.values().iterator().next();
    }

    /** The logical id of the one {@code type} resource whose id starts with {@code constructId}. */
    private static String logicalId(String type, String constructId) {
        List<String> ids = ofType(type).keySet().stream()
                .filter(id -> id.matches(constructId + "[0-9A-F]{8}")).toList();
        assertThat(ids).as(type + " " + constructId).hasSize(1);
        return ids.get(0);
    }

    private static JsonNode resource(String type, String constructId) {
        return resources.path(logicalId(type, constructId));
    }

    private static String roleOf(JsonNode resource) {
        return resource.path("Properties").path("RoleArn").path("Fn::GetAtt").get(0).asText();
    }

    private static List<JsonNode> functionStatements(String function) {
        return statementsOfRole(resource("AWS::Lambda::Function", function).path("Properties").path("Role")
                .path("Fn::GetAtt").get(0).asText());
    }

    private static List<JsonNode> statementsOfRole(String role) {
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : ofType("AWS::IAM::Policy").values()) {
            boolean attached = StreamSupport.stream(policy.path("Properties").path("Roles").spliterator(), false)
                    .anyMatch(r -> r.path("Ref").asText().equals(role));
            if (attached) {
                policy.path("Properties").path("PolicyDocument").path("Statement").forEach(statements::add);
            }
        }
        assertThat(statements).as("statements of " + role).isNotEmpty();
        return statements;
    }

    private static JsonNode statement(List<JsonNode> statements, String action) {
        List<JsonNode> found = statements.stream().filter(s -> actions(s).contains(action)).toList();
        assertThat(found).as(action).hasSize(1);
        return found.get(0);
    }

    private static List<String> actions(JsonNode statement) {
        return texts(statement.path("Action").isArray() ? statement.path("Action")
                : MAPPER.createArrayNode().add(statement.path("Action")));
    }

    private static Set<String> allActions(List<JsonNode> statements) {
        Set<String> all = new TreeSet<>();
        statements.forEach(statement -> all.addAll(actions(statement)));
        return all;
    }

    private static JsonNode resourcesOf(JsonNode statement) {
        return statement.path("Resource").isArray() ? statement.path("Resource")
                : MAPPER.createArrayNode().add(statement.path("Resource"));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(flatten(node)));
        return texts;
    }

    /** A CloudFormation value as text: {@code Ref} and {@code Fn::GetAtt} as {@code ${...}}, joins joined. */
    private static String flatten(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.has("Ref")) {
            return "${" + value.path("Ref").asText() + "}";
        }
        if (value.has("Fn::GetAtt")) {
            return "${" + value.path("Fn::GetAtt").get(0).asText() + "." + value.path("Fn::GetAtt").get(1).asText()
                    + "}";
        }
        if (value.has("Fn::Join")) {
            List<String> parts = new ArrayList<>();
            value.path("Fn::Join").get(1).forEach(part -> parts.add(flatten(part)));
            return String.join(value.path("Fn::Join").get(0).asText(), parts);
        }
        return value.toString();
    }

    /** Object keys ({@code inbox/*}) the statements allow {@code action} on, from {@code bucketArn + "/" + keys}. */
    private static List<String> objectKeys(List<JsonNode> statements, String action) {
        List<String> keys = new ArrayList<>();
        for (JsonNode statement : statements) {
            if (!actions(statement).contains(action)) {
                continue;
            }
            String objects = "${" + logicalId("AWS::S3::Bucket", "Bucket") + ".Arn}/";
            for (String resource : texts(resourcesOf(statement))) {
                if (resource.startsWith(objects)) {
                    keys.add(resource.substring(objects.length()));
                }
            }
        }
        return keys;
    }
}
