package dev.batchline.aws.iam;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;

/**
 * Records each AWS call a function's clients make as the IAM requests it amounts to: the action,
 * the resource's ARN in the deployed stack's account and region, and the condition keys the service
 * adds ({@code aws:SecureTransport}, S3's TLS version and listing prefix). A request of a kind not
 * mapped here is recorded as such, so a new call cannot go unchecked.
 */
public final class CallRecorder implements ExecutionInterceptor {

    /** An AWS call as IAM sees it, or a request this recorder does not know ({@code unmapped}). */
    public record Call(AccessRequest request, String unmapped) {
    }

    private static final Map<String, String> SECURE = Map.of("aws:SecureTransport", "true");

    private final String account;
    private final String region;
    private final Map<String, String> deployedArns;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

    /**
     * @param account      the deployed stack's account, in which names become ARNs
     * @param region       its region
     * @param deployedArns ARNs the local stack gives calls, by the deployed stack's ARN of the same thing
     */
    public CallRecorder(String account, String region, Map<String, String> deployedArns) {
        this.account = account;
        this.region = region;
        this.deployedArns = Map.copyOf(deployedArns);
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        List<AccessRequest> requests = requests(context.request());
        if (requests.isEmpty()) {
            calls.add(new Call(null, context.request().getClass().getSimpleName()));
        }
        requests.forEach(request -> calls.add(new Call(request, null)));
    }

    /**
     * S3 answers a read of a missing key with 404 only to a caller that may list the bucket (else
     * 403): code that expects "no such key" needs that grant too, asked without a prefix.
     */
    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (context.exception() instanceof S3Exception failure && failure.statusCode() == 404) {
            String bucket = context.request() instanceof GetObjectRequest get ? get.bucket()
                    : context.request() instanceof HeadObjectRequest head ? head.bucket() : null;
            if (bucket != null) {
                calls.add(new Call(new AccessRequest("s3:ListBucket", "arn:aws:s3:::" + bucket, s3Context(null, null)),
                        null));
            }
        }
    }

    private List<AccessRequest> requests(SdkRequest request) {
        if (request instanceof GetObjectRequest get) {
            return List.of(s3Object(get.versionId() == null ? "s3:GetObject"
                    : "s3:GetObjectVersion", get.bucket(), get.key()));
        }
        if (request instanceof HeadObjectRequest head) {
            return List.of(s3Object(head.versionId() == null ? "s3:GetObject"
                    : "s3:GetObjectVersion", head.bucket(), head.key()));
        }
        if (request instanceof PutObjectRequest put) {
            return List.of(s3Object("s3:PutObject", put.bucket(), put.key()));
        }
        if (request instanceof CreateMultipartUploadRequest create) {
            return List.of(s3Object("s3:PutObject", create.bucket(),
                    create.key()));
        }
        if (request instanceof UploadPartRequest part) {
            return List.of(s3Object("s3:PutObject", part.bucket(), part.key()));
        }
        if (request instanceof CompleteMultipartUploadRequest complete) {
            return List.of(s3Object("s3:PutObject", complete.bucket(),
                    complete.key()));
        }
        if (request instanceof AbortMultipartUploadRequest abort) {
            return List.of(s3Object("s3:AbortMultipartUpload", abort.bucket(),
                    abort.key()));
        }
        if (request instanceof ListPartsRequest parts) {
            return List.of(s3Object("s3:ListMultipartUploadParts", parts.bucket(),
                    parts.key()));
        }
        if (request instanceof UploadPartCopyRequest copy) {
            return List.of(
                    s3Object(copy.sourceVersionId() == null ? "s3:GetObject" : "s3:GetObjectVersion",
                            copy.sourceBucket(), copy.sourceKey()),
                    s3Object("s3:PutObject", copy.destinationBucket(), copy.destinationKey()));
        }
        if (request instanceof CopyObjectRequest copy) {
            return List.of(
                    s3Object(copy.sourceVersionId() == null ? "s3:GetObject" : "s3:GetObjectVersion",
                            copy.sourceBucket(), copy.sourceKey()),
                    s3Object("s3:PutObject", copy.destinationBucket(), copy.destinationKey()));
        }
        if (request instanceof DeleteObjectRequest delete) {
            return List.of(s3Object(delete.versionId() == null ? "s3:DeleteObject"
                    : "s3:DeleteObjectVersion", delete.bucket(), delete.key()));
        }
        if (request instanceof DeleteObjectsRequest delete) {
            return delete.delete().objects().stream()
                    .map(object -> s3Object(object.versionId() == null ? "s3:DeleteObject" : "s3:DeleteObjectVersion",
                            delete.bucket(), object.key())).toList();
        }
        // The SDK sends no prefix parameter for a listing without one: the condition key is then absent.
        if (request instanceof ListObjectsV2Request list) {
            return List.of(new AccessRequest("s3:ListBucket", "arn:aws:s3:::" + list.bucket(),
                    list.prefix() == null ? s3Context(null, null) : s3Context("s3:prefix", list.prefix())));
        }
        if (request instanceof ListMultipartUploadsRequest uploads) {
            return List.of(new AccessRequest("s3:ListBucketMultipartUploads",
                    "arn:aws:s3:::" + uploads.bucket(), s3Context(null, null)));
        }
        if (request instanceof GetItemRequest get) {
            return List.of(dynamo("GetItem", get.tableName(), null));
        }
        if (request instanceof PutItemRequest put) {
            return List.of(dynamo("PutItem", put.tableName(), null));
        }
        if (request instanceof UpdateItemRequest update) {
            return List.of(dynamo("UpdateItem", update.tableName(), null));
        }
        if (request instanceof DeleteItemRequest delete) {
            return List.of(dynamo("DeleteItem", delete.tableName(), null));
        }
        if (request instanceof QueryRequest query) {
            return List.of(dynamo("Query", query.tableName(), query.indexName()));
        }
        if (request instanceof BatchWriteItemRequest batch) {
            return batch.requestItems().keySet().stream()
                    .map(table -> dynamo("BatchWriteItem", table, null)).toList();
        }
        if (request instanceof SendMessageRequest send) {
            return List.of(sqs(send.queueUrl()));
        }
        if (request instanceof SendMessageBatchRequest send) {
            return List.of(sqs(send.queueUrl()));
        }
        if (request instanceof StartExecutionRequest start) {
            return List.of(new AccessRequest("states:StartExecution",
                    deployedArns.getOrDefault(start.stateMachineArn(), start.stateMachineArn()), SECURE));
        }
        if (request instanceof GetSecretValueRequest secret) {
            // A secret named by name is the secret whose ARN ends in the name and a suffix of six characters.
            String id = secret.secretId();
            return List.of(new AccessRequest("secretsmanager:GetSecretValue", id.startsWith("arn:") ? id
                    : "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + id + "-AbCdEf", SECURE));
        }
        if (request instanceof GetParameterRequest parameter) {
            return List.of(new AccessRequest("ssm:GetParameter",
                    "arn:aws:ssm:" + region + ":" + account + ":parameter"
                            + (parameter.name().startsWith("/") ? "" : "/") + parameter.name(), SECURE));
        }
        return List.of();
    }

    private static AccessRequest s3Object(String action, String bucket, String key) {
        return new AccessRequest(action, "arn:aws:s3:::" + bucket + "/" + key, s3Context(null, null));
    }

    /** Every S3 call on AWS arrives over TLS 1.2 or later, which the bucket policy insists on. */
    private static Map<String, String> s3Context(String key, String value) {
        java.util.Map<String, String> context = new java.util.HashMap<>(SECURE);
        context.put("s3:TlsVersion", "1.2");
        if (key != null) {
            context.put(key, value);
        }
        return context;
    }

    private AccessRequest dynamo(String operation, String table, String index) {
        String arn = "arn:aws:dynamodb:" + region + ":" + account + ":table/" + table;
        return new AccessRequest("dynamodb:" + operation, index == null ? arn : arn + "/index/" + index, SECURE);
    }

    private AccessRequest sqs(String queueUrl) {
        String path = URI.create(queueUrl).getPath();
        String name = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        return new AccessRequest("sqs:SendMessage", "arn:aws:sqs:" + region + ":" + account + ":" + name, SECURE);
    }

    /** The calls recorded so far that no mapping knew, by request type. */
    public List<String> unmapped() {
        List<String> unknown = new ArrayList<>();
        calls.forEach(call -> {
            if (call.unmapped() != null) {
                unknown.add(call.unmapped());
            }
        });
        return unknown;
    }
}
