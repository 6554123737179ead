package dev.batchline.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.aws.iam.AccessRequest;
import dev.batchline.aws.iam.CallRecorder;
import dev.batchline.aws.iam.PolicyEvaluator;
import dev.batchline.aws.iam.TemplateValues;
import dev.batchline.config.Json;
import dev.batchline.job.JobStatus;
import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.local.runtime.EndToEndSupport;
import dev.batchline.local.runtime.FunctionHosting;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.local.runtime.LocalStepFunctions;
import dev.batchline.storage.S3Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * IAM proven by use: every AWS call each function makes in end-to-end runs (a job with a part that
 * fails alone, a rejected file, a job whose workflow fails) is recorded by that function's own clients
 * and evaluated against the synthesised template's policy for its role and the bucket's and queues'
 * policies, as on AWS (over TLS). No call may be denied, and no grant may go unused unless it is
 * kept on purpose, for a reason said here. The workflow's role is held to what its definition does.
 */
class FunctionPermissionsTest extends EndToEndSupport {

    /** The steps that call the provider, and so read its key. */
    private static final String PROVIDER_CALLERS = "(SubmitBatch|PollBatch|FinalizePart|FailPart|FailJob)";

    /**
     * Grants no run here uses, each with why the stack keeps it: calls Lambda makes with the
     * function's role, or that only a real key store, a versioned bucket or a rarer fault brings.
     * Keyed by a pattern of "Function: action on resource"; a pattern that matches no grant of the
     * template fails the test, so the list cannot outlive what it explains.
     */
    private static final Map<String, String> KEPT_ON_PURPOSE = new TreeMap<>(Map.ofEntries(
            Map.entry("\\w+: xray:(PutTraceSegments|PutTelemetryRecords) on \\*",
                    "active tracing: Lambda sends the function's trace segments with its role"),
            Map.entry("Upload: sqs:(ReceiveMessage|DeleteMessage|ChangeMessageVisibility|GetQueueAttributes"
                    + "|GetQueueUrl) on .*:uploadsqueue\\w+",
                    "the uploads queue's event source: Lambda polls it with the function's role"),
            Map.entry(PROVIDER_CALLERS + ": kms:Decrypt on arn:aws:kms:.*:key/\\*", "provider keys in a secret or"
                    + " SecureString under a customer-managed key; local keys come from the environment"),
            Map.entry(PROVIDER_CALLERS + ": secretsmanager:GetSecretValue on arn:aws:secretsmanager:.*", "provider keys"
                    + " in Secrets Manager; local keys come from the environment"),
            Map.entry(PROVIDER_CALLERS + ": ssm:GetParameter on arn:aws:ssm:.*", "provider keys in Parameter Store;"
                    + " local keys come from the environment"),
            Map.entry("\\w+: s3:AbortMultipartUpload on .*", "a multipart write that fails is abandoned at once, not"
                    + " left to the lifecycle rule"),
            Map.entry("Upload: s3:GetObjectVersion on .*/inbox/\\*", "an upload event names the object's version (the"
                    + " bucket is versioned); the emulator's objects have none"),
            Map.entry("Upload: dynamodb:Query on .*:table/batchline-jobs", "an upload event for a job whose workflow"
                    + " start went unrecorded starts it again from its parts"),
            Map.entry("Upload: s3:DeleteObject on .*/staging/\\*", "a file that cannot be staged to the end leaves no"
                    + " parts behind"),
            Map.entry("FinalizePart: s3:ListMultipartUploadParts on .*/provider/\\*", "a provider file's copy cut"
                    + " short after a whole part (5 MB) lists its parts to resume; the outputs here are smaller"),
            Map.entry("FailJob: s3:DeleteObject on .*/results/\\*/records/\\*", "a part failed while splitting its"
                    + " output withdraws the results its failed slice wrote, in FailJob as in FailPart"),
            Map.entry("FailJob: s3:GetObject on .*/results/\\*/merged/\\*", "a failed job's merged output gathers the"
                    + " results of the parts that completed before it failed"),
            Map.entry("(FailPart|FailJob): s3:ListBucket on .*", "the finalize they share with FinalizePart asks"
                    + " whether a provider file is copied; a failed part's finalize skips to its missing requests")));

    private static JsonNode template;
    private static TemplateValues values;
    private static String stateMachineArn;

    @BeforeAll
    static void synthesise() {
        template = SynthesizedStack.json(SynthesizedStack.template());
        Map<String, String> localNames = new TreeMap<>();
        localNames.put(only("AWS::S3::Bucket", "Bucket"), LocalPipeline.BUCKET);
        localNames.put(only("AWS::DynamoDB::Table", "JobsTable"), LocalPipeline.TABLE);
        localNames.put(only("AWS::SQS::Queue", "EventsQueue"), LocalPipeline.EVENTS_QUEUE);
        values = new TemplateValues(template, SynthesizedStack.ACCOUNT, SynthesizedStack.REGION, "Batchline",
                localNames);
        stateMachineArn = values.arn(only("AWS::StepFunctions::StateMachine", "Workflow"));
    }

    @Test
    void everyCallOfEveryFunction_isAllowed_andEveryGrantIsUsedOrKeptOnPurpose() throws Exception {
        PolicyEvaluator evaluator = new PolicyEvaluator(template, values);
        Map<BatchlineFunction, CallRecorder> recorders = new EnumMap<>(BatchlineFunction.class);
        for (BatchlineFunction function : BatchlineFunction.values()) {
            recorders.put(function, new CallRecorder(SynthesizedStack.ACCOUNT, SynthesizedStack.REGION,
                    Map.of(LocalPipeline.STATE_MACHINE_ARN, stateMachineArn)));
        }

        runJobWithAFailedPartAndARejectedFile(recorders);
        runJobWhoseWorkflowFails(recorders);
        runJobWithARecordRefused(recorders);

        List<String> denied = new ArrayList<>();
        TreeSet<String> unused = new TreeSet<>();
        recorders.forEach((function, recorder) -> {
            assertThat(recorder.unmapped()).as(function + " made calls the recorder cannot map").isEmpty();
            assertThat(recorder.calls()).as(function + " made no AWS call").isNotEmpty();
            String role = evaluator.roleOf(function.id());
            for (CallRecorder.Call call : recorder.calls()) {
                PolicyEvaluator.Decision decision = evaluator.evaluate(role, call.request());
                if (!decision.allowed()) {
                    denied.add(function.id() + ": " + decision.reason());
                }
            }
        });
        recorders.keySet().forEach(function -> evaluator.unusedGrants(evaluator.roleOf(function.id()))
                .forEach(grant -> unused.add(function.id() + ": " + grant.action() + " on " + grant.resource())));

        assertThat(denied).as("calls the deployed stack would deny").isEmpty();
        List<String> unexplained = unused.stream().filter(grant -> keptFor(grant) == null).toList();
        assertThat(unexplained).as("grants no call used and no reason keeps").isEmpty();
        List<String> every = new ArrayList<>();
        PolicyEvaluator untouched = new PolicyEvaluator(template, values);
        for (BatchlineFunction function : BatchlineFunction.values()) {
            untouched.unusedGrants(untouched.roleOf(function.id())).forEach(grant ->
                    every.add(function.id() + ": " + grant.action() + " on " + grant.resource()));
        }
        for (String kept : KEPT_ON_PURPOSE.keySet()) {
            assertThat(every).as("a reason kept for no grant of the template: " + kept).anyMatch(g -> g.matches(kept));
        }
    }

    /**
     * FinalizePart writes its part's records and segments, never a manifest or merged file, reads no
     * upload and lists nothing but staged parts and provider copies.
     */
    @Test
    void whatAFunctionMustNotDo_isDenied() {
        PolicyEvaluator evaluator = new PolicyEvaluator(template, values);
        String finalizePart = evaluator.roleOf(BatchlineFunction.FINALIZE_PART.id());
        String bucket = "arn:aws:s3:::" + LocalPipeline.BUCKET;

        assertThat(evaluator.evaluate(finalizePart, s3("s3:PutObject", bucket + "/"
                + S3Layout.manifest("another-job"), null)).allowed()).isFalse();
        assertThat(evaluator.evaluate(finalizePart, s3("s3:PutObject", bucket + "/"
                + S3Layout.mergedOutput("another-job", true), null)).allowed()).isFalse();
        // It lists only under staging/ and provider/ (whether a file is there), never elsewhere nor the whole bucket.
        assertThat(evaluator.evaluate(finalizePart, s3("s3:ListBucket", bucket,
                S3Layout.providerOutput("a-job", 1))).allowed()).isTrue();
        assertThat(evaluator.evaluate(finalizePart, s3("s3:ListBucket", bucket, "inbox/")).allowed()).isFalse();
        assertThat(evaluator.evaluate(finalizePart, s3("s3:ListBucket", bucket, "results/another-job/")).allowed())
                .isFalse();
        assertThat(evaluator.evaluate(finalizePart, s3("s3:ListBucket", bucket, null)).allowed()).isFalse();
        assertThat(evaluator.evaluate(finalizePart, s3("s3:ListBucket", bucket, "")).allowed()).isFalse();
        assertThat(evaluator.evaluate(finalizePart, s3("s3:GetObject", bucket + "/inbox/secret.jsonl", null))
                .allowed()).isFalse();
        // The same calls without TLS are refused by the bucket's policy, whatever the role allows.
        AccessRequest overPlainHttp = new AccessRequest("s3:PutObject", bucket + "/"
                + S3Layout.recordsPrefix("a-job", true) + "r.json", Map.of("aws:SecureTransport", "false"));
        assertThat(evaluator.evaluate(finalizePart, overPlainHttp).allowed()).isFalse();

        String submitBatch = evaluator.roleOf(BatchlineFunction.SUBMIT_BATCH.id());
        assertThat(evaluator.evaluate(submitBatch, new AccessRequest("sqs:SendMessage", "arn:aws:sqs:"
                + SynthesizedStack.REGION + ":" + SynthesizedStack.ACCOUNT + ":" + LocalPipeline.EVENTS_QUEUE,
                Map.of("aws:SecureTransport", "true"))).allowed()).isFalse();
    }

    /**
     * The workflow's role allows what its definition does: invoke each Task's function as the
     * definition names it, start the Distributed Map's child executions of the workflow itself and
     * describe and stop them; and no more than logging and tracing besides.
     */
    @Test
    void theWorkflowRole_allowsWhatTheDefinitionDoes() throws Exception {
        PolicyEvaluator evaluator = new PolicyEvaluator(template, values);
        String role = evaluator.stateMachineRole();
        JsonNode machine = resource(only("AWS::StepFunctions::StateMachine", "Workflow"));
        JsonNode substitutions = machine.path("Properties").path("DefinitionSubstitutions");
        JsonNode definition = Json.mapper().readTree(Files.readString(DEFINITION));
        List<AccessRequest> calls = new ArrayList<>();
        collectCalls(definition.path("States"), substitutions, calls);
        assertThat(calls).extracting(AccessRequest::action).contains("lambda:InvokeFunction", "states:StartExecution");

        for (AccessRequest call : calls) {
            assertThat(evaluator.evaluate(role, call).allowed()).as(call.toString()).isTrue();
        }
        assertThat(evaluator.unusedGrants(role)).allSatisfy(grant -> assertThat(grant.action())
                .as("a grant the definition does not use: " + grant)
                .matches("logs:.*|xray:.*"));
        // Another state machine's executions are not this role's to start.
        assertThat(evaluator.evaluate(role, new AccessRequest("states:StartExecution",
                stateMachineArn + "-other", Map.of())).allowed()).isFalse();
    }

    private void collectCalls(JsonNode states, JsonNode substitutions, List<AccessRequest> calls) {
        for (JsonNode state : states) {
            String resource = state.path("Resource").asText("");
            if ("Task".equals(state.path("Type").asText()) && resource.matches("\\$\\{\\w+}")) {
                JsonNode function = substitutions.path(resource.substring(2, resource.length() - 1));
                assertThat(function.isMissingNode()).as(resource + " has no substitution").isFalse();
                calls.add(new AccessRequest("lambda:InvokeFunction", values.resolve(function)));
            }
            if ("DISTRIBUTED".equals(state.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText())) {
                String execution = stateMachineArn.replace(":stateMachine:", ":execution:") + "/map-run:child";
                calls.add(new AccessRequest("states:StartExecution", stateMachineArn));
                calls.add(new AccessRequest("states:DescribeExecution", execution));
                calls.add(new AccessRequest("states:StopExecution", execution));
            }
            collectCalls(state.path("ItemProcessor").path("States"), substitutions, calls);
        }
    }

    /**
     * Part 1's upload is refused for good (FailPart), the others complete (SubmitBatch, PollBatch,
     * FinalizePart, CompleteJob, with record objects, merged files and events, one request refused
     * by the provider, a checkpoint every record); then a file with a bad line is rejected (Upload
     * writes its report), and an upload event arrives for a file already gone.
     */
    private void runJobWithAFailedPartAndARejectedFile(Map<BatchlineFunction, CallRecorder> recorders)
            throws Exception {
        LocalProviderConfig.Faults refusingOnce = new LocalProviderConfig.Faults(List.of(
                new LocalProviderConfig.RequestFailure("req-5", 400, "invalid_prompt", "Refused.")), List.of(
                new LocalProviderConfig.CallFailure("POST", "/v1/files", 401, 1, null)),
                null, null, null, null, null);
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(refusingOnce),
                Map.of("maxRequestsPerBatch", 2, "maxConcurrentBatches", 1),
                Map.of("BATCHLINE_RECORD_EVENTS", "all", "BATCHLINE_FINALIZE_SLICE", "1")),
                new FunctionHosting.InProcess(recorders::get))) {
            String jobId = runToEnd(pipeline, requests("permissions.jsonl", 6));
            assertThat(assertAccountedFor(pipeline, jobId, 6)).containsOnlyKeys("req-1", "req-2", "req-5");

            Path rejected = directory.resolve("rejected.jsonl");
            Files.writeString(rejected, "{\"custom_id\": \"a\"\nnot json\n");
            JsonNode outcome = pipeline.submit(rejected, LocalPipeline.LOCAL_PROFILE);
            assertThat(pipeline.jobs().find(outcome.path("jobId").asText()).orElseThrow().status())
                    .isEqualTo(JobStatus.REJECTED);
            assertThat(pipeline.trigger(S3Layout.inboxKey(LocalPipeline.LOCAL_PROFILE, "gone.jsonl"), "0", 10)
                    .path("outcomes").path(0).path("result").asText()).isEqualTo("REJECTED");
        }
    }

    /** PollBatch fails for good and FailPart cannot record the failure: the workflow fails and FailJob ends it. */
    private void runJobWhoseWorkflowFails(Map<BatchlineFunction, CallRecorder> recorders) throws Exception {
        LocalProviderConfig.Faults everyPollNotFound = new LocalProviderConfig.Faults(null, List.of(
                new LocalProviderConfig.CallFailure("GET", "/v1/batches/", 404, 1_000, null)),
                null, null, null, null, null);
        ExecutionInterceptor refusingPartFailures = recordedThenRefused(recorders.get(BatchlineFunction.FAIL_PART),
                request -> request instanceof UpdateItemRequest update
                        && update.expressionAttributeValues().containsKey(":code"),
                "DynamoDB refuses to record the part's failure");
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(everyPollNotFound), Map.of(),
                Map.of("BATCHLINE_FINALIZE_SLICE", "1")),
                new FunctionHosting.InProcess(function -> function == BatchlineFunction.FAIL_PART
                        ? refusingPartFailures : recorders.get(function)))) {
            String jobId = pipeline.submit(requests("permissions-failing.jsonl", 4), LocalPipeline.LOCAL_PROFILE)
                    .path("jobId").asText();
            LocalStepFunctions.Outcome execution = pipeline.await(jobId, TIMEOUT);
            assertThat(execution.succeeded()).isFalse();
            assertThat(pipeline.jobs().find(jobId).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
            assertThat(manifest(pipeline, jobId).accountedFor()).isTrue();
        }
    }

    /**
     * S3 refuses one result record for good, so that part fails while splitting its output and
     * FailPart withdraws the results its failed slice wrote.
     */
    private void runJobWithARecordRefused(Map<BatchlineFunction, CallRecorder> recorders) throws Exception {
        ExecutionInterceptor refusingOneRecord = recordedThenRefused(recorders.get(BatchlineFunction.FINALIZE_PART),
                request -> request instanceof PutObjectRequest put && put.key().startsWith(S3Layout.RESULTS)
                        && put.key().endsWith("/req-4.json"),
                "S3 refuses the record of req-4");
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(null), Map.of("maxRequestsPerBatch", 5),
                Map.of("BATCHLINE_FINALIZE_SLICE", "2")),
                new FunctionHosting.InProcess(function -> function == BatchlineFunction.FINALIZE_PART
                        ? refusingOneRecord : recorders.get(function)))) {
            String jobId = runToEnd(pipeline, requests("permissions-refused.jsonl", 10));
            assertThat(assertAccountedFor(pipeline, jobId, 10)).containsKey("req-4");
        }
    }

    /** A function's recorder, and a fault: the calls it refuses are recorded first, as made. */
    private static ExecutionInterceptor recordedThenRefused(CallRecorder recorder, Predicate<SdkRequest> refused,
            String fault) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                recorder.beforeExecution(context, attributes);
                if (refused.test(context.request())) {
                    throw new IllegalStateException("injected: " + fault);
                }
            }

            @Override
            public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
                recorder.onExecutionFailure(context, attributes);
            }
        };
    }

    /** The pattern of {@link #KEPT_ON_PURPOSE} that keeps the grant, or null. */
    private static String keptFor(String grant) {
        return KEPT_ON_PURPOSE.keySet().stream().filter(grant::matches).findFirst().orElse(null);
    }

    private static AccessRequest s3(String action, String resource, String prefix) {
        Map<String, String> context = new TreeMap<>(Map.of("aws:SecureTransport", "true", "s3:TlsVersion", "1.2"));
        if (prefix != null) {
            context.put("s3:prefix", prefix);
        }
        return new AccessRequest(action, resource, context);
    }

    private static JsonNode resource(String logicalId) {
        return template.path("Resources").path(logicalId);
    }

    /** The one resource of the type whose logical id starts with the construct id. */
    private static String only(String type, String constructId) {
        List<String> found = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(resource -> {
            if (resource.getKey().startsWith(constructId)
                    && type.equals(resource.getValue().path("Type").asText())) {
                found.add(resource.getKey());
            }
        });
        assertThat(found).as(type + " " + constructId).hasSize(1);
        return found.get(0);
    }
}
