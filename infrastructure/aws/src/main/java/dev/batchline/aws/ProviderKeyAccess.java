package dev.batchline.aws;

import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * Read access to exactly the provider keys the profiles name in {@code apiKeyRef}: the stack
 * holds references, never values. A Secrets Manager ARN may be given whole or without its
 * six-character suffix, so both forms are allowed. {@code env:} references are for local runs
 * and refused here: a deployed function has no such variable.
 */
final class ProviderKeyAccess {

    private ProviderKeyAccess() {
    }

    static List<PolicyStatement> statements(Stack stack, ProviderProfiles profiles) {
        TreeSet<String> secrets = new TreeSet<>();
        TreeSet<String> parameters = new TreeSet<>();
        for (String name : profiles.names()) {
            ProviderProfile profile = profiles.require(name);
            String reference = profile.apiKeyRef();
            if (reference.isEmpty()) {
                continue;
            }
            if (reference.startsWith("arn:aws:secretsmanager:")) {
                secrets.add(reference);
                secrets.add(reference + "-??????");
            } else if (reference.startsWith("ssm:")) {
                String parameter = reference.substring("ssm:".length()).replaceFirst("^/", "");
                parameters.add(stack.formatArn(ArnComponents.builder().service("ssm").resource("parameter")
                        .resourceName(parameter).arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build()));
            } else {
                throw new IllegalArgumentException("profile " + name + ": a deployed stack reads provider keys from "
                        + "Secrets Manager (arn:aws:secretsmanager:...) or SSM (ssm:/name); this apiKeyRef is "
                        + "neither (its value is not shown: it may be a key)");
            }
        }
        List<PolicyStatement> statements = new ArrayList<>();
        if (!secrets.isEmpty()) {
            statements.add(PolicyStatement.Builder.create().actions(List.of("secretsmanager:GetSecretValue"))
                    .resources(List.copyOf(secrets)).build());
        }
        if (!parameters.isEmpty()) {
            statements.add(PolicyStatement.Builder.create().actions(List.of("ssm:GetParameter"))
                    .resources(List.copyOf(parameters)).build());
        }
        // Kept on purpose: a key in a secret or SecureString encrypted with a customer-managed KMS key
        // is readable only with kms:Decrypt, and which key is the user's choice. The grant holds only
        // for decryption Secrets Manager or SSM asks for on the function's behalf.
        List<String> services = new ArrayList<>();
        if (!secrets.isEmpty()) {
            services.add("secretsmanager." + stack.getRegion() + ".amazonaws.com");
        }
        if (!parameters.isEmpty()) {
            services.add("ssm." + stack.getRegion() + ".amazonaws.com");
        }
        if (!services.isEmpty()) {
            statements.add(PolicyStatement.Builder.create().actions(List.of("kms:Decrypt"))
                    .resources(List.of(stack.formatArn(ArnComponents.builder().service("kms").resource("key")
                            .resourceName("*").arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build())))
                    .conditions(Map.of("StringEquals", Map.of("kms:ViaService", services))).build());
        }
        return statements;
    }
}
