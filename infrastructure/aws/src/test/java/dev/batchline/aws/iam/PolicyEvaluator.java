package dev.batchline.aws.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a role of a synthesised template may make a call, decided as IAM decides it within one
 * account: an explicit Deny in any applicable policy wins, then an Allow, else the call is denied.
 * Every policy is parsed when the evaluator is built, so a shape it does not know fails at once
 * rather than letting a call through. Calls evaluated are remembered (safely across threads) to
 * tell which grants no call needed.
 *
 * <p>Identity policies are the role's inline policies and the {@code AWS::IAM::Policy} and
 * {@code AWS::IAM::ManagedPolicy} resources attached to it; managed policies from outside the
 * template (AWS's) cannot be read and are only listed ({@link #unevaluatedManagedPolicies}).
 * Resource policies are bucket, queue and topic policies and key policies. Their statements
 * concern the role when their {@code Principal} is {@code *}, the role's ARN, or its account
 * (root ARN or id). An Allow naming {@code *} or the role grants on its own; one naming the account
 * only delegates to IAM policies, which in one account changes nothing except for KMS keys, whose
 * key policy must delegate so for an identity Allow to count.
 */
public final class PolicyEvaluator {

    /**
     * @param allowedBy the statement that allowed, as {@code policyLogicalId#index}
     * @param deniedBy  the statement that explicitly denied
     */
    public record Decision(boolean allowed, Optional<String> allowedBy, Optional<String> deniedBy, String reason) {
    }

    /** One action pattern on one resource pattern that an identity Allow statement grants a role. */
    public record Grant(String role, String policy, int statement, String action, String resource) {
    }

    private static final Map<String, String> RESOURCE_POLICY_TARGETS = Map.of("AWS::S3::BucketPolicy", "Bucket",
            "AWS::SQS::QueuePolicy", "Queues", "AWS::SNS::TopicPolicy", "Topics");
    private static final Map<String, String> NEGATED_OPERATORS = Map.of("StringNotEquals", "StringEquals",
            "StringNotEqualsIgnoreCase", "StringEqualsIgnoreCase", "StringNotLike", "StringLike",
            "ArnNotEquals", "ArnEquals", "ArnNotLike", "ArnLike", "NumericNotEquals", "NumericEquals");
    private static final Set<String> OPERATORS = Set.of("StringEquals", "StringEqualsIgnoreCase", "StringLike",
            "ArnEquals", "ArnLike", "Bool", "Null", "NumericEquals", "NumericLessThan", "NumericLessThanEquals",
            "NumericGreaterThan", "NumericGreaterThanEquals");
    private static final Map<String, Pattern> WILDCARDS = new ConcurrentHashMap<>();

    private final TemplateValues values;
    private final JsonNode resources;
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final List<ResourcePolicy> resourcePolicies = new ArrayList<>();
    private final Set<Grant> used = ConcurrentHashMap.newKeySet();

    public PolicyEvaluator(JsonNode template, TemplateValues values) {
        this.values = values;
        this.resources = template.path("Resources");
        List<AttachedPolicy> attached = new ArrayList<>();
        Map<String, List<Statement>> templateManagedPolicies = new LinkedHashMap<>();
        resources.fields().forEachRemaining(entry -> {
            String id = entry.getKey();
            String type = values.typeOf(id);
            JsonNode properties = entry.getValue().path("Properties");
            if (type.equals("AWS::IAM::Policy") || type.equals("AWS::IAM::ManagedPolicy")) {
                List<Statement> statements = statements(id, properties.path("PolicyDocument"), false);
                List<String> roleNames = properties.has("Roles") ? values.resolveList(properties.get("Roles"))
                        : List.of();
                attached.add(new AttachedPolicy(roleNames, statements));
                if (type.equals("AWS::IAM::ManagedPolicy")) {
                    templateManagedPolicies.put(values.arn(id), statements);
                }
            } else if (RESOURCE_POLICY_TARGETS.containsKey(type)) {
                List<String> targets = new ArrayList<>();
                elements(properties.path(RESOURCE_POLICY_TARGETS.get(type))).forEach(target -> {
                    if (!target.has("Ref")) {
                        throw new IllegalArgumentException(id + ": cannot tell which resource " + target + " is");
                    }
                    targets.add(values.arn(target.get("Ref").asText()));
                });
                resourcePolicies.add(new ResourcePolicy(targets, statements(id, properties.path("PolicyDocument"),
                        true), false));
            } else if (type.equals("AWS::KMS::Key")) {
                resourcePolicies.add(new ResourcePolicy(List.of(values.arn(id)),
                        statements(id, properties.path("KeyPolicy"), true), true));
            }
        });
        resources.fieldNames().forEachRemaining(id -> {
            if (values.typeOf(id).equals("AWS::IAM::Role")) {
                roles.put(id, role(id, attached, templateManagedPolicies));
            }
        });
    }

    public Decision evaluate(String roleLogicalId, AccessRequest request) {
        Role role = role(roleLogicalId);
        // Condition keys are case-insensitive; every call carries its principal.
        Map<String, String> context = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        context.put("aws:PrincipalArn", role.arn());
        context.put("aws:PrincipalAccount", values.accountId());
        context.putAll(request.context());

        List<Statement> identityMatches = role.statements().stream().filter(s -> s.matches(request, context))
                .toList();
        // A grant a denied call matched is still one the call needed.
        identityMatches.stream().filter(Statement::allow)
                .forEach(statement -> used.addAll(statement.grantsCovering(roleLogicalId, request)));
        List<ResourcePolicy> guarding = resourcePolicies.stream().filter(p -> p.guards(request.resource())).toList();
        List<Statement> resourceMatches = guarding.stream().flatMap(policy -> policy.statements().stream())
                .filter(s -> reach(s, role) != Reach.NONE && s.matches(request, context)).toList();

        Optional<Statement> deny = Stream.concat(identityMatches.stream(), resourceMatches.stream())
                .filter(s -> !s.allow()).findFirst();
        if (deny.isPresent()) {
            return new Decision(false, Optional.empty(), Optional.of(deny.get().id()),
                    "explicitly denied by " + deny.get().id());
        }
        Optional<Statement> direct = resourceMatches.stream()
                .filter(s -> s.allow() && reach(s, role) == Reach.ROLE).findFirst();
        Optional<Statement> identity = identityMatches.stream().filter(Statement::allow).findFirst();
        boolean keyDelegates = guarding.stream().noneMatch(ResourcePolicy::keyPolicy) || resourceMatches.stream()
                .anyMatch(s -> s.allow() && reach(s, role) == Reach.ACCOUNT);
        Optional<Statement> allow = direct.or(() -> identity.filter(s -> keyDelegates));
        if (allow.isPresent()) {
            return new Decision(true, Optional.of(allow.get().id()), Optional.empty(),
                    "allowed by " + allow.get().id());
        }
        String reason = identity.isPresent()
                ? identity.get().id() + " allows it, but no key policy lets IAM policies grant " + request.action()
                        + " on " + request.resource()
                : "no statement allows " + request.action() + " on " + request.resource() + " to " + roleLogicalId;
        return new Decision(false, Optional.empty(), Optional.empty(), reason);
    }

    /** The role's identity grants that no call evaluated so far matched, in policy order. */
    public List<Grant> unusedGrants(String roleLogicalId) {
        return role(roleLogicalId).statements().stream().filter(Statement::allow)
                .flatMap(statement -> statement.grants(roleLogicalId).stream())
                .filter(grant -> !used.contains(grant)).distinct().toList();
    }

    public List<String> roles() {
        return List.copyOf(roles.keySet());
    }

    /** The role's identity statements, as {@code policyLogicalId#index}. */
    public List<String> statementIds(String roleLogicalId) {
        return role(roleLogicalId).statements().stream().map(Statement::id).toList();
    }

    /** Managed policy ARNs attached to the role that are not in the template (AWS managed ones). */
    public List<String> unevaluatedManagedPolicies(String roleLogicalId) {
        return role(roleLogicalId).unevaluatedManagedPolicies();
    }

    /** The role of the one Lambda function whose logical id starts with the prefix ({@code SubmitBatch}). */
    public String roleOf(String functionLogicalIdPrefix) {
        return roleIn(only("AWS::Lambda::Function", functionLogicalIdPrefix), "Role");
    }

    public String stateMachineRole() {
        return roleIn(only("AWS::StepFunctions::StateMachine", ""), "RoleArn");
    }

    private String only(String type, String prefix) {
        List<String> found = new ArrayList<>();
        resources.fieldNames().forEachRemaining(id -> {
            if (id.startsWith(prefix) && values.typeOf(id).equals(type)) {
                found.add(id);
            }
        });
        if (found.size() != 1) {
            throw new IllegalArgumentException("expected one " + type + " whose logical id starts with '" + prefix
                    + "', found " + found);
        }
        return found.get(0);
    }

    private String roleIn(String id, String property) {
        JsonNode reference = resources.path(id).path("Properties").path(property).path("Fn::GetAtt");
        String role = reference.path(0).asText();
        if (!reference.path(1).asText().equals("Arn") || !roles.containsKey(role)) {
            throw new IllegalArgumentException(id + "." + property + " is not the Arn of a role of the template");
        }
        return role;
    }

    private Role role(String roleLogicalId) {
        Role role = roles.get(roleLogicalId);
        if (role == null) {
            throw new IllegalArgumentException("no AWS::IAM::Role " + roleLogicalId + "; roles: " + roles.keySet());
        }
        return role;
    }

    private Role role(String id, List<AttachedPolicy> attached, Map<String, List<Statement>> templateManagedPolicies) {
        JsonNode properties = resources.path(id).path("Properties");
        if (properties.has("PermissionsBoundary")) {
            throw new IllegalArgumentException(id + ": permissions boundaries are not evaluated");
        }
        Set<Statement> statements = new LinkedHashSet<>();
        for (JsonNode inline : properties.path("Policies")) {
            statements.addAll(statements(id + "/" + values.resolve(inline.path("PolicyName")),
                    inline.path("PolicyDocument"), false));
        }
        String name = values.physicalName(id);
        attached.stream().filter(policy -> policy.roleNames().contains(name))
                .forEach(policy -> statements.addAll(policy.statements()));
        List<String> unevaluated = new ArrayList<>();
        if (properties.has("ManagedPolicyArns")) {
            for (String arn : values.resolveList(properties.get("ManagedPolicyArns"))) {
                if (templateManagedPolicies.containsKey(arn)) {
                    statements.addAll(templateManagedPolicies.get(arn));
                } else {
                    unevaluated.add(arn);
                }
            }
        }
        return new Role(values.arn(id), List.copyOf(statements), List.copyOf(unevaluated));
    }

    private List<Statement> statements(String policy, JsonNode document, boolean resourcePolicy) {
        List<JsonNode> elements = elements(document.path("Statement"));
        List<Statement> statements = new ArrayList<>();
        for (int index = 0; index < elements.size(); index++) {
            statements.add(statement(policy, index, elements.get(index), resourcePolicy));
        }
        return statements;
    }

    private Statement statement(String policy, int index, JsonNode json, boolean resourcePolicy) {
        String where = policy + "#" + index + ": ";
        String effect = json.path("Effect").asText();
        if (!effect.equals("Allow") && !effect.equals("Deny")) {
            throw new IllegalArgumentException(where + "Effect must be Allow or Deny: " + json);
        }
        if (json.has("NotPrincipal")) {
            throw new IllegalArgumentException(where + "NotPrincipal is not evaluated");
        }
        List<Condition> conditions = new ArrayList<>();
        json.path("Condition").fields().forEachRemaining(operator -> operator.getValue().fields().forEachRemaining(
                key -> conditions.add(Condition.of(where, operator.getKey(), key.getKey(),
                        values.resolveList(key.getValue())))));
        return new Statement(policy, index, effect.equals("Allow"),
                patterns(where, json, "Action", true), patterns(where, json, "Resource", false),
                conditions, resourcePolicy ? principals(where, json.path("Principal")) : List.of());
    }

    private Patterns patterns(String where, JsonNode statement, String element, boolean ignoreCase) {
        boolean negated = statement.has("Not" + element);
        if (negated == statement.has(element)) {
            throw new IllegalArgumentException(where + "needs one of " + element + " and Not" + element);
        }
        List<String> patterns = values.resolveList(statement.get(negated ? "Not" + element : element));
        // Policy variables such as ${aws:username} would need the caller's identity to expand.
        patterns.stream().filter(pattern -> pattern.contains("${")).findAny().ifPresent(pattern -> {
            throw new IllegalArgumentException(where + "policy variables are not evaluated: " + pattern);
        });
        return new Patterns(negated ? "Not" + element : element, patterns, negated, ignoreCase);
    }

    /** The AWS principals a resource policy statement names; service principals never reach a role. */
    private List<String> principals(String where, JsonNode principal) {
        if (principal.isTextual()) {
            return List.of(principal.asText());
        }
        if (!principal.isObject()) {
            throw new IllegalArgumentException(where + "a resource policy statement needs a Principal");
        }
        return principal.has("AWS") ? values.resolveList(principal.get("AWS")) : List.of();
    }

    private enum Reach { NONE, ACCOUNT, ROLE }

    private Reach reach(Statement statement, Role role) {
        List<String> principals = statement.principals();
        if (principals.contains("*") || principals.contains(role.arn())) {
            return Reach.ROLE;
        }
        String root = "arn:" + values.partition() + ":iam::" + values.accountId() + ":root";
        return principals.contains(root) || principals.contains(values.accountId()) ? Reach.ACCOUNT : Reach.NONE;
    }

    private static List<JsonNode> elements(JsonNode node) {
        List<JsonNode> elements = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(elements::add);
        } else {
            elements.add(node);
        }
        return elements;
    }

    /** IAM wildcards: {@code *} any run of characters, {@code ?} any one. */
    private static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        Pattern compiled = WILDCARDS.computeIfAbsent((ignoreCase ? "i:" : "s:") + pattern, key -> {
            StringBuilder regex = new StringBuilder();
            for (String literal : pattern.split("((?<=[*?])|(?=[*?]))")) {
                regex.append(literal.equals("*") ? ".*" : literal.equals("?") ? "." : Pattern.quote(literal));
            }
            return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.DOTALL
                    : Pattern.DOTALL);
        });
        return compiled.matcher(value).matches();
    }

    private record AttachedPolicy(List<String> roleNames, List<Statement> statements) {
    }

    private record Role(String arn, List<Statement> statements, List<String> unevaluatedManagedPolicies) {
    }

    private record ResourcePolicy(List<String> arns, List<Statement> statements, boolean keyPolicy) {

        /** Whether a call on the resource (or, for a bucket, an object in it) is subject to this policy. */
        boolean guards(String resource) {
            return arns.stream().anyMatch(arn -> resource.equals(arn) || resource.startsWith(arn + "/"));
        }
    }

    /** Action or Resource patterns, or their Not form, which covers what none of its patterns match. */
    private record Patterns(String element, List<String> patterns, boolean negated, boolean ignoreCase) {

        boolean covers(String value) {
            return negated != patterns.stream().anyMatch(pattern -> wildcard(pattern, value, ignoreCase));
        }

        /** A Not form is one grant: what it allows cannot be listed pattern by pattern. */
        List<String> labels() {
            return negated ? List.of(element + " " + patterns) : patterns;
        }

        List<String> labelsCovering(String value) {
            if (negated) {
                return covers(value) ? labels() : List.of();
            }
            return patterns.stream().filter(pattern -> wildcard(pattern, value, ignoreCase)).toList();
        }
    }

    private record Statement(String policy, int index, boolean allow, Patterns actions, Patterns resources,
            List<Condition> conditions, List<String> principals) {

        String id() {
            return policy + "#" + index;
        }

        boolean matches(AccessRequest request, Map<String, String> context) {
            return actions.covers(request.action()) && resources.covers(request.resource())
                    && conditions.stream().allMatch(condition -> condition.holds(context));
        }

        List<Grant> grants(String role) {
            return grants(role, actions.labels(), resources.labels());
        }

        List<Grant> grantsCovering(String role, AccessRequest request) {
            return grants(role, actions.labelsCovering(request.action()),
                    resources.labelsCovering(request.resource()));
        }

        private List<Grant> grants(String role, List<String> actionLabels, List<String> resourceLabels) {
            return actionLabels.stream().flatMap(action -> resourceLabels.stream()
                    .map(resource -> new Grant(role, policy, index, action, resource))).toList();
        }
    }

    /**
     * One key under one operator. Set operators see the single context value as a set of one,
     * or an empty set when the key is absent.
     */
    private record Condition(String set, String operator, boolean negated, boolean ifExists, String key,
            List<String> values) {

        static Condition of(String where, String written, String key, List<String> values) {
            String set = written.startsWith("ForAnyValue:") || written.startsWith("ForAllValues:")
                    ? written.substring(0, written.indexOf(':') + 1) : "";
            String operator = written.substring(set.length());
            boolean ifExists = operator.endsWith("IfExists");
            operator = ifExists ? operator.substring(0, operator.length() - "IfExists".length()) : operator;
            boolean negated = NEGATED_OPERATORS.containsKey(operator);
            operator = NEGATED_OPERATORS.getOrDefault(operator, operator);
            if (!OPERATORS.contains(operator)) {
                throw new IllegalArgumentException(where + "unsupported condition operator " + written);
            }
            return new Condition(set, operator, negated, ifExists, key, values);
        }

        boolean holds(Map<String, String> context) {
            String actual = context.get(key);
            if (operator.equals("Null")) {
                return values.stream().anyMatch(value -> Boolean.parseBoolean(value) == (actual == null));
            }
            if (actual == null) {
                // IAM: a missing key fails a condition, except that it passes IfExists, ForAllValues
                // (vacuously) and, outside ForAnyValue, the negated operators (nothing matched).
                return ifExists || set.equals("ForAllValues:") || (negated && set.isEmpty());
            }
            return negated != values.stream().anyMatch(value -> compare(value, actual));
        }

        private boolean compare(String expected, String actual) {
            return switch (operator) {
                case "StringEquals" -> actual.equals(expected);
                case "StringEqualsIgnoreCase", "Bool" -> actual.equalsIgnoreCase(expected);
                case "StringLike", "ArnEquals", "ArnLike" -> wildcard(expected, actual, false);
                default -> compareNumbers(actual, expected);
            };
        }

        private boolean compareNumbers(String actual, String expected) {
            int comparison;
            try {
                comparison = new BigDecimal(actual).compareTo(new BigDecimal(expected));
            } catch (NumberFormatException notANumber) {
                return false;
            }
            return switch (operator) {
                case "NumericEquals" -> comparison == 0;
                case "NumericLessThan" -> comparison < 0;
                case "NumericLessThanEquals" -> comparison <= 0;
                case "NumericGreaterThan" -> comparison > 0;
                default -> comparison >= 0;
            };
        }
    }
}
