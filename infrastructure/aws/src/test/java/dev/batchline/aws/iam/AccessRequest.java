package dev.batchline.aws.iam;

import java.util.Map;
import java.util.Objects;

/**
 * One AWS call as IAM sees it.
 *
 * @param action   service and operation, e.g. {@code s3:GetObject}
 * @param resource the concrete ARN called on, or {@code *} for actions on no resource (X-Ray)
 * @param context  condition keys the call carries, e.g. {@code aws:SecureTransport} = {@code true};
 *                 single-valued, so {@code ForAnyValue:}/{@code ForAllValues:} see one value or none
 */
public record AccessRequest(String action, String resource, Map<String, String> context) {

    public AccessRequest {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        if (action.indexOf(':') < 1) {
            throw new IllegalArgumentException("an action is service:Operation, not " + action);
        }
        context = Map.copyOf(context);
    }

    public AccessRequest(String action, String resource) {
        this(action, resource, Map.of());
    }
}
