package dev.batchline.aws.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The concrete strings a CloudFormation template's values would take once deployed, so that policies
 * can be compared with the ARNs real calls name. Only the intrinsics and resource types Batchline's
 * policies use are known; anything else fails, because a value guessed wrong could let a test pass.
 */
public final class TemplateValues {

    /** Properties that name a resource; without one, CloudFormation generates the name. */
    private static final Map<String, String> NAME_PROPERTIES = Map.ofEntries(
            Map.entry("AWS::S3::Bucket", "BucketName"),
            Map.entry("AWS::DynamoDB::Table", "TableName"),
            Map.entry("AWS::SQS::Queue", "QueueName"),
            Map.entry("AWS::Lambda::Function", "FunctionName"),
            Map.entry("AWS::StepFunctions::StateMachine", "StateMachineName"),
            Map.entry("AWS::IAM::Role", "RoleName"),
            Map.entry("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
            Map.entry("AWS::IAM::Policy", "PolicyName"),
            Map.entry("AWS::SNS::Topic", "TopicName"),
            Map.entry("AWS::Logs::LogGroup", "LogGroupName"));
    /** A published version's number: any fixed one will do, calls name it as the template does. */
    private static final String VERSION = "1";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final JsonNode template;
    private final String accountId;
    private final String region;
    private final String stackName;
    private final Map<String, String> physicalNames;

    /**
     * @param physicalNames names the caller knows (a deployed stack's), by logical id; resources
     *                      neither named there nor in the template get their lower-cased logical id.
     *                      Template parameters are not resolved: Batchline's policies use none.
     */
    public TemplateValues(JsonNode template, String accountId, String region, String stackName,
            Map<String, String> physicalNames) {
        this.template = template;
        this.accountId = accountId;
        this.region = region;
        this.stackName = stackName;
        this.physicalNames = Map.copyOf(physicalNames);
    }

    public TemplateValues(JsonNode template, String accountId, String region, String stackName) {
        this(template, accountId, region, stackName, Map.of());
    }

    public String accountId() {
        return accountId;
    }

    public String partition() {
        return "aws";
    }

    /** A scalar or an intrinsic function, as text. */
    public String resolve(JsonNode value) {
        if (value.isValueNode() && !value.isNull()) {
            return value.asText();
        }
        String function = intrinsic(value);
        JsonNode arguments = value.get(function);
        return switch (function) {
            case "Ref" -> ref(arguments.asText());
            case "Fn::GetAtt" -> arguments.isArray() ? attribute(arguments.get(0).asText(), arguments.get(1).asText())
                    : getAtt(arguments.asText());
            case "Fn::Join" -> String.join(arguments.get(0).asText(), resolveList(arguments.get(1)));
            case "Fn::Select" -> resolveList(arguments.get(1)).get(Integer.parseInt(resolve(arguments.get(0))));
            case "Fn::Sub" -> arguments.isArray() ? sub(arguments.get(0).asText(), arguments.get(1))
                    : sub(arguments.asText(), null);
            default -> throw new IllegalArgumentException("unsupported intrinsic " + function + " in " + value);
        };
    }

    /** A list value: an array (each element resolved), {@code Fn::Split}, or a single value as a list of one. */
    public List<String> resolveList(JsonNode value) {
        if (value.isArray()) {
            List<String> resolved = new ArrayList<>();
            value.forEach(element -> resolved.add(resolve(element)));
            return resolved;
        }
        if (value.isObject() && intrinsic(value).equals("Fn::Split")) {
            JsonNode arguments = value.get("Fn::Split");
            return Arrays.asList(resolve(arguments.get(1)).split(Pattern.quote(arguments.get(0).asText()), -1));
        }
        return List.of(resolve(value));
    }

    public String physicalName(String logicalId) {
        JsonNode name = properties(logicalId).get(NAME_PROPERTIES.getOrDefault(typeOf(logicalId), ""));
        if (name != null) {
            return resolve(name);
        }
        return physicalNames.getOrDefault(logicalId, logicalId.toLowerCase(Locale.ROOT));
    }

    /** The ARN of a resource of the template, whichever of Ref or GetAtt its type gives it by. */
    public String arn(String logicalId) {
        return switch (typeOf(logicalId)) {
            case "AWS::SNS::Topic", "AWS::IAM::ManagedPolicy", "AWS::Lambda::Alias", "AWS::Lambda::Version" ->
                    ref(logicalId);
            default -> attribute(logicalId, "Arn");
        };
    }

    public String typeOf(String logicalId) {
        JsonNode resource = template.path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            throw new IllegalArgumentException("no resource " + logicalId + " in the template");
        }
        return resource.path("Type").asText();
    }

    private JsonNode properties(String logicalId) {
        typeOf(logicalId);
        return template.path("Resources").path(logicalId).path("Properties");
    }

    private static String intrinsic(JsonNode value) {
        if (!value.isObject() || value.size() != 1) {
            throw new IllegalArgumentException("not a value or an intrinsic function: " + value);
        }
        return value.fieldNames().next();
    }

    private String ref(String name) {
        return switch (name) {
            case "AWS::Partition" -> partition();
            case "AWS::Region" -> region;
            case "AWS::AccountId" -> accountId;
            case "AWS::URLSuffix" -> "amazonaws.com";
            case "AWS::StackName" -> stackName;
            case "AWS::StackId" -> regional("cloudformation", "stack/" + stackName
                    + "/00000000-0000-0000-0000-000000000000");
            default -> attribute(name, "Ref");
        };
    }

    private String getAtt(String idAndAttribute) {
        int dot = idAndAttribute.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("Fn::GetAtt needs Id.Attribute: " + idAndAttribute);
        }
        return attribute(idAndAttribute.substring(0, dot), idAndAttribute.substring(dot + 1));
    }

    /** Ref (as attribute {@code Ref}) and Fn::GetAtt, by resource type, as CloudFormation documents them. */
    private String attribute(String logicalId, String attribute) {
        String type = typeOf(logicalId);
        return switch (type + "." + attribute) {
            case "AWS::S3::Bucket.Ref", "AWS::DynamoDB::Table.Ref", "AWS::IAM::Role.Ref", "AWS::IAM::Policy.Ref",
                    "AWS::Lambda::Function.Ref", "AWS::SQS::Queue.QueueName", "AWS::StepFunctions::StateMachine.Name",
                    "AWS::SNS::Topic.TopicName", "AWS::Logs::LogGroup.Ref", "AWS::KMS::Key.Ref",
                    "AWS::KMS::Key.KeyId" -> physicalName(logicalId);
            case "AWS::S3::Bucket.Arn" -> "arn:" + partition() + ":s3:::" + physicalName(logicalId);
            case "AWS::DynamoDB::Table.Arn" -> regional("dynamodb", "table/" + physicalName(logicalId));
            case "AWS::SQS::Queue.Arn" -> regional("sqs", physicalName(logicalId));
            case "AWS::SQS::Queue.Ref", "AWS::SQS::Queue.QueueUrl" -> "https://sqs." + region + ".amazonaws.com/"
                    + accountId + "/" + physicalName(logicalId);
            case "AWS::IAM::Role.Arn" -> global("iam", "role/" + physicalName(logicalId));
            case "AWS::IAM::ManagedPolicy.Ref", "AWS::IAM::ManagedPolicy.PolicyArn" ->
                    global("iam", "policy/" + physicalName(logicalId));
            case "AWS::Lambda::Function.Arn" -> regional("lambda", "function:" + physicalName(logicalId));
            case "AWS::Lambda::Version.Ref" -> functionArn(logicalId) + ":" + VERSION;
            case "AWS::Lambda::Version.Version" -> VERSION;
            case "AWS::Lambda::Alias.Ref" -> functionArn(logicalId) + ":" + resolve(properties(logicalId).path("Name"));
            case "AWS::StepFunctions::StateMachine.Ref", "AWS::StepFunctions::StateMachine.Arn" ->
                    regional("states", "stateMachine:" + physicalName(logicalId));
            case "AWS::KMS::Key.Arn" -> regional("kms", "key/" + physicalName(logicalId));
            case "AWS::SNS::Topic.Ref", "AWS::SNS::Topic.TopicArn" -> regional("sns", physicalName(logicalId));
            case "AWS::Logs::LogGroup.Arn" -> regional("logs", "log-group:" + physicalName(logicalId) + ":*");
            default -> throw new IllegalArgumentException("cannot resolve " + ("Ref".equals(attribute) ? "Ref"
                    : "Fn::GetAtt " + attribute) + " of " + logicalId + " (" + type + ")");
        };
    }

    /** Aliases and versions name their function by name or ARN; both come out as its ARN. */
    private String functionArn(String logicalId) {
        String function = resolve(properties(logicalId).path("FunctionName"));
        return function.startsWith("arn:") ? function : regional("lambda", "function:" + function);
    }

    private String sub(String text, JsonNode variables) {
        Matcher matcher = SUB_VARIABLE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value;
            if (name.startsWith("!")) {
                value = "${" + name.substring(1) + "}";
            } else if (variables != null && variables.has(name)) {
                value = resolve(variables.get(name));
            } else {
                value = name.contains(".") && !name.startsWith("AWS::") ? getAtt(name) : ref(name);
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private String regional(String service, String resource) {
        return "arn:" + partition() + ":" + service + ":" + region + ":" + accountId + ":" + resource;
    }

    private String global(String service, String resource) {
        return "arn:" + partition() + ":" + service + "::" + accountId + ":" + resource;
    }
}
