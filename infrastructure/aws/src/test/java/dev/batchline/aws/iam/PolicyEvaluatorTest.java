package dev.batchline.aws.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.aws.BatchlineStack;
import dev.batchline.aws.StackSettings;
import dev.batchline.aws.iam.PolicyEvaluator.Decision;
import dev.batchline.aws.iam.PolicyEvaluator.Grant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

class PolicyEvaluatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ACCOUNT = "123456789012";
    private static final String REGION = "eu-west-1";
    private static final String ROLE = "WorkerRole";
    private static final String BUCKET = "arn:aws:s3:::my-bucket";
    private static final String TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/jobstable";
    private static final Map<String, String> TLS = Map.of("aws:SecureTransport", "true");

    /** A bucket named my-bucket, a table and a queue named by default, and {@value #ROLE} with the statements. */
    private static JsonNode template(String statements, String moreResources) {
        return json("""
                {"Resources": {
                  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "my-bucket"}},
                  "JobsTable": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
                  "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
                  "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {}},
                  "WorkerPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p",
                    "Roles": [{"Ref": "WorkerRole"}],
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [%s]}}}%s
                }}""".formatted(statements, moreResources.isEmpty() ? "" : "," + moreResources));
    }

    private static PolicyEvaluator evaluator(JsonNode template) {
        return new PolicyEvaluator(template, new TemplateValues(template, ACCOUNT, REGION, "Test"));
    }

    private static PolicyEvaluator evaluator(String statements) {
        return evaluator(template(statements, ""));
    }

    private static Decision evaluate(PolicyEvaluator evaluator, String action, String resource,
            Map<String, String> context) {
        return evaluator.evaluate(ROLE, new AccessRequest(action, resource, context));
    }

    @Test
    void allows_byExactAndWildcardActionAndResource_actionsIgnoringCase() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/results/*"},
                {"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Quer?"],
                 "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/jobstable*"}""");

        Decision read = evaluate(evaluator, "s3:GetObject", BUCKET + "/results/job-1/manifest.json", Map.of());
        assertThat(read.allowed()).isTrue();
        assertThat(read.allowedBy()).contains("WorkerPolicy#0");
        assertThat(read.deniedBy()).isEmpty();
        assertThat(evaluate(evaluator, "S3:getobject", BUCKET + "/results/x", Map.of()).allowed()).isTrue();
        assertThat(evaluate(evaluator, "dynamodb:GetItem", TABLE, Map.of()).allowedBy()).contains("WorkerPolicy#1");
        assertThat(evaluate(evaluator, "dynamodb:Query", TABLE + "/index/byCreation", Map.of()).allowed()).isTrue();
    }

    @Test
    void deniesImplicitly_whatNoStatementAllows_resourcesMatchingCaseSensitively() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/results/*"}""");

        Decision put = evaluate(evaluator, "s3:PutObject", BUCKET + "/results/a.json", Map.of());
        assertThat(put.allowed()).isFalse();
        assertThat(put.deniedBy()).isEmpty();
        assertThat(put.reason()).isEqualTo("no statement allows s3:PutObject on " + BUCKET + "/results/a.json to "
                + ROLE);
        assertThat(evaluate(evaluator, "s3:GetObject", BUCKET + "/Results/a.json", Map.of()).allowed()).isFalse();
        assertThat(evaluate(evaluator, "s3:GetObject", BUCKET + "/staging/a.json", Map.of()).allowed()).isFalse();
    }

    @Test
    void bucketPolicy_deniesCallsWithoutTls_andLeavesTheRoleItsGrantsWithTls() {
        PolicyEvaluator evaluator = evaluator(template("""
                {"Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/results/*"]]}}""", """
                "BucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"},
                  "PolicyDocument": {"Statement": [
                    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                     "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]},
                                  {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]}]},
                    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                     "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
                     "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]}}]}}}"""));
        String object = BUCKET + "/results/job-1/manifest.json";

        Decision plain = evaluate(evaluator, "s3:PutObject", object, Map.of("aws:SecureTransport", "false"));
        assertThat(plain.allowed()).isFalse();
        assertThat(plain.deniedBy()).contains("BucketPolicy#0");
        assertThat(plain.reason()).isEqualTo("explicitly denied by BucketPolicy#0");
        assertThat(evaluate(evaluator, "s3:PutObject", object, TLS).allowed()).isTrue();
        assertThat(evaluate(evaluator, "s3:PutObject", object, Map.of("aws:SecureTransport", "true",
                "s3:TlsVersion", "1.0")).deniedBy()).contains("BucketPolicy#1");
        assertThat(evaluate(evaluator, "s3:PutObject", object, Map.of("aws:SecureTransport", "true",
                "s3:TlsVersion", "1.3")).allowed()).isTrue();
        // The policy guards my-bucket only.
        assertThat(evaluate(evaluator, "s3:PutObject", "arn:aws:s3:::my-bucket-2/results/a",
                Map.of("aws:SecureTransport", "false")).deniedBy()).isEmpty();
    }

    @Test
    void queuePolicy_deniesCallsWithoutTls_andItsAllowsForServicesDoNotReachTheRole() {
        PolicyEvaluator evaluator = evaluator(template("""
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["Queue", "Arn"]}}""", """
                "QueuePolicy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": "Queue"}],
                  "PolicyDocument": {"Statement": [
                    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:*",
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                     "Resource": {"Fn::GetAtt": ["Queue", "Arn"]}},
                    {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:*",
                     "Resource": {"Fn::GetAtt": ["Queue", "Arn"]}}]}}}"""));
        String queue = "arn:aws:sqs:eu-west-1:123456789012:queue";

        assertThat(evaluate(evaluator, "sqs:SendMessage", queue, TLS).allowedBy()).contains("WorkerPolicy#0");
        assertThat(evaluate(evaluator, "sqs:SendMessage", queue, Map.of("aws:SecureTransport", "false"))
                .deniedBy()).contains("QueuePolicy#0");
        assertThat(evaluate(evaluator, "sqs:DeleteMessage", queue, TLS).allowed()).isFalse();
    }

    @Test
    void stringLike_onTheListedPrefix() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket",
                 "Condition": {"StringLike": {"s3:prefix": ["results/*", "errors/*"]}}}""");

        assertThat(evaluate(evaluator, "s3:ListBucket", BUCKET, Map.of("s3:prefix", "results/job-1/")).allowed())
                .isTrue();
        assertThat(evaluate(evaluator, "s3:ListBucket", BUCKET, Map.of("s3:prefix", "staging/x")).allowed())
                .isFalse();
        // A condition on a key the call does not carry does not hold.
        assertThat(evaluate(evaluator, "s3:ListBucket", BUCKET, Map.of()).allowed()).isFalse();
    }

    @Test
    void conditionKeys_ignoreCase_valuesAreResolved_andEveryConditionMustHold() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-1:123456789012:key/*",
                 "Condition": {"StringEquals": {"kms:ViaService": [
                     {"Fn::Join": ["", ["secretsmanager.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]},
                     "ssm.eu-west-1.amazonaws.com"]},
                   "ArnLike": {"aws:PrincipalArn": {"Fn::GetAtt": ["WorkerRole", "Arn"]}}}}""");
        String key = "arn:aws:kms:eu-west-1:123456789012:key/1234";

        assertThat(evaluate(evaluator, "kms:Decrypt", key, Map.of("KMS:viaservice",
                "secretsmanager.eu-west-1.amazonaws.com")).allowed()).isTrue();
        assertThat(evaluate(evaluator, "kms:Decrypt", key, Map.of("kms:ViaService",
                "ssm.eu-west-1.amazonaws.com")).allowed()).isTrue();
        assertThat(evaluate(evaluator, "kms:Decrypt", key, Map.of("kms:ViaService",
                "s3.eu-west-1.amazonaws.com")).allowed()).isFalse();
        assertThat(evaluate(evaluator, "kms:Decrypt", key, Map.of()).allowed()).isFalse();
    }

    @Test
    void ifExists_holdsWhenTheKeyIsAbsent_andTestsItWhenPresent() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                 "Condition": {"StringEqualsIfExists": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}}}""");

        assertThat(evaluate(evaluator, "kms:Decrypt", "*", Map.of()).allowed()).isTrue();
        assertThat(evaluate(evaluator, "kms:Decrypt", "*", Map.of("kms:ViaService", "ssm.eu-west-1.amazonaws.com"))
                .allowed()).isTrue();
        assertThat(evaluate(evaluator, "kms:Decrypt", "*", Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com"))
                .allowed()).isFalse();
    }

    /** As IAM documents it: a missing key satisfies negated operators and ForAllValues, not ForAnyValue. */
    @Test
    void missingKeys_satisfyNegatedOperatorsAndForAllValues_butNotForAnyValue() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringNotEquals": {"s3:ExistingObjectTag/classified": "yes"}}},
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
                 "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["job"]}}},
                {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "*",
                 "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["job"]}}},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
                 "Condition": {"Null": {"s3:prefix": "true"}}}""");

        assertThat(evaluate(evaluator, "s3:GetObject", BUCKET + "/a", Map.of()).allowed()).isTrue();
        assertThat(evaluate(evaluator, "s3:GetObject", BUCKET + "/a", Map.of("s3:ExistingObjectTag/classified",
                "yes")).allowed()).isFalse();
        assertThat(evaluate(evaluator, "s3:PutObject", BUCKET + "/a", Map.of()).allowed()).isTrue();
        assertThat(evaluate(evaluator, "s3:PutObject", BUCKET + "/a", Map.of("aws:TagKeys", "owner")).allowed())
                .isFalse();
        assertThat(evaluate(evaluator, "s3:DeleteObject", BUCKET + "/a", Map.of()).allowed()).isFalse();
        assertThat(evaluate(evaluator, "s3:DeleteObject", BUCKET + "/a", Map.of("aws:TagKeys", "job")).allowed())
                .isTrue();
        assertThat(evaluate(evaluator, "s3:ListBucket", BUCKET, Map.of()).allowed()).isTrue();
        assertThat(evaluate(evaluator, "s3:ListBucket", BUCKET, Map.of("s3:prefix", "a/")).allowed()).isFalse();
    }

    @Test
    void notAction_andNotResource_coverWhatTheyDoNotName() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*",
                 "NotResource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}""");

        assertThat(evaluate(evaluator, "s3:GetObject", BUCKET + "/a", Map.of()).allowed()).isTrue();
        assertThat(evaluate(evaluator, "IAM:PassRole", "arn:aws:iam::123456789012:role/x", Map.of()).allowed())
                .isFalse();
        Decision elsewhere = evaluate(evaluator, "s3:GetObject", "arn:aws:s3:::other/a", Map.of());
        assertThat(elsewhere.deniedBy()).contains("WorkerPolicy#1");
        assertThat(evaluator.unusedGrants(ROLE)).isEmpty();
    }

    @Test
    void intrinsics_resolveToTheNamesAndArnsOfTheTemplatesResources() {
        JsonNode template = json("""
                {"Resources": {
                  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${AWS::StackName}-data"}}},
                  "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
                  "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
                  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "worker"}},
                  "FnVersion": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
                  "FnAlias": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"},
                    "FunctionVersion": {"Fn::GetAtt": ["FnVersion", "Version"]}, "Name": "live"}},
                  "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
                  "Operators": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {}}
                }}""");
        TemplateValues values = new TemplateValues(template, ACCOUNT, REGION, "Test", Map.of("Table", "jobs"));

        assertThat(values.resolve(json("""
                {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/results/*"]]}"""))).isEqualTo(
                "arn:aws:s3:::Test-data/results/*");
        assertThat(values.resolve(json("""
                {"Fn::GetAtt": ["Table", "Arn"]}"""))).isEqualTo(TABLE.replace("jobstable", "jobs"));
        assertThat(values.resolve(json("""
                {"Fn::Sub": ["${Q}|${Queue.QueueName}|${!Literal}", {"Q": {"Ref": "Queue"}}]}""")))
                .isEqualTo("https://sqs.eu-west-1.amazonaws.com/123456789012/queue|queue|${Literal}");
        assertThat(values.resolve(json("""
                {"Fn::Select": [1, {"Fn::Split": [":", {"Ref": "FnAlias"}]}]}"""))).isEqualTo("aws");
        assertThat(values.arn("FnAlias")).isEqualTo("arn:aws:lambda:eu-west-1:123456789012:function:worker:live");
        assertThat(values.arn("FnVersion")).isEqualTo("arn:aws:lambda:eu-west-1:123456789012:function:worker:1");
        assertThat(values.resolve(json("""
                {"Ref": "Machine"}"""))).isEqualTo("arn:aws:states:eu-west-1:123456789012:stateMachine:machine");
        assertThat(values.resolve(json("""
                {"Ref": "Operators"}"""))).isEqualTo("arn:aws:iam::123456789012:policy/operators");
    }

    @Test
    void unknownIntrinsicsAttributesAndOperators_failNamingThem() {
        assertThatThrownBy(() -> evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": {"Fn::If": ["Prod", "arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Fn::If");
        assertThatThrownBy(() -> evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RegionalDomainName of Bucket");
        assertThatThrownBy(() -> evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WorkerPolicy#0")
                .hasMessageContaining("DateGreaterThan");
        assertThatThrownBy(() -> evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy variables");
        assertThatThrownBy(() -> evaluator("""
                {"Effect": "Allow", "Action": "s3:GetObject"}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Resource");
    }

    @Test
    void unusedGrants_shrinkAsCallsUseThem() {
        PolicyEvaluator evaluator = evaluator("""
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                 "Resource": ["arn:aws:s3:::my-bucket/staging/*", "arn:aws:s3:::my-bucket/results/*"]},
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": {"Fn::GetAtt": ["JobsTable", "Arn"]}},
                {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}""");
        assertThat(evaluator.unusedGrants(ROLE)).hasSize(5);

        evaluate(evaluator, "s3:GetObject", BUCKET + "/staging/job-1/part-1.jsonl", TLS);
        evaluate(evaluator, "s3:PutObject", BUCKET + "/staging/job-1/part-1.jsonl", TLS);
        assertThat(evaluator.unusedGrants(ROLE)).hasSize(4).doesNotContain(new Grant(ROLE, "WorkerPolicy", 0,
                "s3:GetObject", BUCKET + "/staging/*"));

        // Matched, even though the Deny then refuses it: the grant is one the call needed.
        assertThat(evaluate(evaluator, "dynamodb:DeleteTable", TABLE, Map.of()).allowed()).isFalse();
        assertThat(evaluator.unusedGrants(ROLE)).containsExactly(
                new Grant(ROLE, "WorkerPolicy", 0, "s3:GetObject", BUCKET + "/results/*"),
                new Grant(ROLE, "WorkerPolicy", 0, "s3:GetObjectVersion", BUCKET + "/staging/*"),
                new Grant(ROLE, "WorkerPolicy", 0, "s3:GetObjectVersion", BUCKET + "/results/*"));
    }

    @Test
    void keyPolicy_mustLetIamPoliciesGrant_forAnIdentityAllowToCount() {
        String allowRole = """
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}""";
        String key = """
                "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
                  {"Effect": "Allow", "Principal": {"AWS": %s}, "Action": "kms:*", "Resource": "*"}]}}}""";
        String root = """
                {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}""";
        String keyArn = "arn:aws:kms:eu-west-1:123456789012:key/key";

        PolicyEvaluator delegating = evaluator(template(allowRole, key.formatted(root)));
        assertThat(evaluate(delegating, "kms:Decrypt", keyArn, Map.of()).allowedBy()).contains("WorkerPolicy#0");

        PolicyEvaluator otherAdmin = evaluator(template(allowRole, key.formatted(
                "\"arn:aws:iam::123456789012:role/admin\"")));
        Decision refused = evaluate(otherAdmin, "kms:Decrypt", keyArn, Map.of());
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.reason()).contains("no key policy lets IAM policies grant kms:Decrypt");
        // Keys outside the template: only the identity policy is known.
        assertThat(evaluate(otherAdmin, "kms:Decrypt", keyArn + "-2", Map.of()).allowed()).isTrue();
    }

    @Test
    void rolesOfFunctionsAndStateMachine_foundByLogicalIdPrefix() {
        PolicyEvaluator evaluator = evaluator(template("""
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}""", """
                "SubmitBatch0E1C2D3A": {"Type": "AWS::Lambda::Function",
                  "Properties": {"Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]}}},
                "SubmitBatchAlias11111111": {"Type": "AWS::Lambda::Alias", "Properties": {}},
                "SubmitBatchTwo22222222": {"Type": "AWS::Lambda::Function",
                  "Properties": {"Role": "arn:aws:iam::123456789012:role/elsewhere"}},
                "MachineRole": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
                  {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/ReadOnlyAccess"]]}]}},
                "Machine": {"Type": "AWS::StepFunctions::StateMachine",
                  "Properties": {"RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]}}}"""));

        assertThat(evaluator.roleOf("SubmitBatch0")).isEqualTo(ROLE);
        assertThat(evaluator.stateMachineRole()).isEqualTo("MachineRole");
        assertThat(evaluator.roles()).containsExactly(ROLE, "MachineRole");
        assertThat(evaluator.statementIds(ROLE)).containsExactly("WorkerPolicy#0");
        assertThat(evaluator.unevaluatedManagedPolicies("MachineRole"))
                .containsExactly("arn:aws:iam::aws:policy/ReadOnlyAccess");
        assertThatThrownBy(() -> evaluator.roleOf("SubmitBatch")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SubmitBatch0E1C2D3A").hasMessageContaining("SubmitBatchTwo22222222");
        assertThatThrownBy(() -> evaluator.roleOf("SubmitBatchTwo")).hasMessageContaining("not the Arn of a role");
        assertThatThrownBy(() -> evaluator.evaluate("Nobody", new AccessRequest("s3:GetObject", "*")))
                .hasMessageContaining("no AWS::IAM::Role Nobody");
    }

    /** The real template parses, and a few of its grants decide as the stack means them to. */
    @Test
    void batchlineTemplate_isEvaluated() {
        Path root = Path.of(System.getProperty("batchline.root", "../..")).toAbsolutePath().normalize();
        Map<String, Object> context = Map.of("batchline:profiles", "{\"openai\": {\"apiKeyRef\": "
                + "\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:batchline/openai\"}, \"nebius\": "
                + "{\"apiKeyRef\": \"ssm:/batchline/nebius\"}}", "batchline:alarmEmail", "oncall@example.com");
        BatchlineStack stack = new BatchlineStack(new App(), "Batchline", StackProps.builder()
                .env(Environment.builder().account(ACCOUNT).region(REGION).build()).build(),
                StackSettings.fromContext(context::get, root));
        JsonNode template = MAPPER.valueToTree(Template.fromStack(stack).toJSON());
        TemplateValues values = new TemplateValues(template, ACCOUNT, REGION, "Batchline");
        PolicyEvaluator evaluator = new PolicyEvaluator(template, values);

        List<String> functionRoles = new ArrayList<>();
        for (String function : List.of("Upload", "SubmitBatch", "PollBatch", "FinalizePart", "FailPart",
                "CompleteJob", "FailJob")) {
            functionRoles.add(evaluator.roleOf(function));
        }
        functionRoles.add(evaluator.stateMachineRole());
        assertThat(functionRoles).doesNotHaveDuplicates();
        for (String role : evaluator.roles()) {
            System.out.printf("%s: %d statements, unevaluated managed policies %s%n", role,
                    evaluator.statementIds(role).size(), evaluator.unevaluatedManagedPolicies(role));
        }

        String bucket = values.resolve(ref(template, "AWS::S3::Bucket", "Bucket"));
        String record = "arn:aws:s3:::" + bucket + "/results/job-1/records/a.json";
        String finalizePart = evaluator.roleOf("FinalizePart");
        assertThat(evaluator.evaluate(finalizePart, new AccessRequest("s3:PutObject", record, TLS)).allowed())
                .isTrue();
        assertThat(evaluator.evaluate(finalizePart, new AccessRequest("s3:PutObject", record,
                Map.of("aws:SecureTransport", "false"))).deniedBy()).hasValueSatisfying(
                denial -> assertThat(denial).startsWith("BucketPolicy"));

        String events = values.arn(ref(template, "AWS::SQS::Queue", "EventsQueue").get("Ref").asText());
        String submitBatch = evaluator.roleOf("SubmitBatch");
        Decision send = evaluator.evaluate(submitBatch, new AccessRequest("sqs:SendMessage", events, TLS));
        assertThat(send.allowed()).as(send.reason()).isFalse();
        assertThat(evaluator.evaluate(finalizePart, new AccessRequest("sqs:SendMessage", events, TLS)).allowed())
                .isTrue();

        String anyKey = "arn:aws:kms:eu-west-1:123456789012:key/0000";
        assertThat(evaluator.evaluate(submitBatch, new AccessRequest("kms:Decrypt", anyKey,
                Map.of("kms:ViaService", "secretsmanager.eu-west-1.amazonaws.com"))).allowed()).isTrue();
        assertThat(evaluator.evaluate(submitBatch, new AccessRequest("kms:Decrypt", anyKey)).allowed()).isFalse();

        String submitAlias = values.arn(ref(template, "AWS::Lambda::Alias", "SubmitBatchAlias").get("Ref").asText());
        assertThat(evaluator.evaluate(evaluator.stateMachineRole(),
                new AccessRequest("lambda:InvokeFunction", submitAlias)).allowed()).as(submitAlias).isTrue();
    }

    /** A Ref to the one resource of the type whose logical id is the construct id and a hash. */
    private static JsonNode ref(JsonNode template, String type, String constructId) {
        List<String> ids = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(resource -> {
            if (resource.getKey().matches(constructId + "[0-9A-F]{8}")
                    && resource.getValue().path("Type").asText().equals(type)) {
                ids.add(resource.getKey());
            }
        });
        assertThat(ids).as(type + " " + constructId).hasSize(1);
        return MAPPER.createObjectNode().put("Ref", ids.get(0));
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
