package dev.batchline.lambda;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An HTTP client that answers every request from memory, as the service would answer the calls the
 * functions make most (an empty DynamoDB item, an S3 object of {@code {}}, a queued SQS message), so
 * the SDK's whole path runs while no socket opens: what priming a snapshot may do.
 */
final class CannedHttpClient implements SdkHttpClient {

    private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

    private final ObjectMapper mapper;
    private final List<String> answered = new CopyOnWriteArrayList<>();

    CannedHttpClient(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The requests answered so far: the JSON protocol's target, or S3's method. */
    List<String> answered() {
        return List.copyOf(answered);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                return answer(request);
            }

            @Override
            public void abort() {
            }
        };
    }

    private HttpExecuteResponse answer(HttpExecuteRequest request) throws IOException {
        String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
        answered.add(target.isEmpty() ? "S3 " + request.httpRequest().method() : target);
        byte[] body = EMPTY_JSON;
        SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(200);
        if (target.startsWith("AmazonSQS.")) {
            // The SQS client checks the digest of the body it sent against the one the service reports.
            byte[] sent = request.contentStreamProvider().map(provider -> read(provider.newStream())).orElse(EMPTY_JSON);
            String message = mapper.readTree(sent).path("MessageBody").asText();
            body = ("{\"MessageId\":\"primed\",\"MD5OfMessageBody\":\"" + md5(message) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            response.putHeader("Content-Type", "application/x-amz-json-1.0");
        } else if (target.startsWith("DynamoDB_")) {
            response.putHeader("Content-Type", "application/x-amz-json-1.0");
        } else {
            response.putHeader("ETag", "\"primed\"").putHeader("Content-Type", "application/json");
        }
        response.putHeader("Content-Length", Integer.toString(body.length));
        return HttpExecuteResponse.builder().response(response.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
    }

    private static byte[] read(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return EMPTY_JSON;
        }
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
    }
}
