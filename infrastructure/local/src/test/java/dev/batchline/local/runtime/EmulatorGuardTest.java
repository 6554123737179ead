package dev.batchline.local.runtime;

import static dev.batchline.local.RawHttp.send;
import static dev.batchline.local.RawHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.config.AwsClients;
import dev.batchline.emulators.AwsEmulators;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guards in front of the local stack's emulators: what a web page can make a browser send is
 * refused (raw HTTP, as a browser writes it), and the SDK's signed calls pass unchanged.
 */
class EmulatorGuardTest {

    private static final String LIST_QUEUES = "{}";

    private static AwsEmulators emulators;
    private static EmulatorGuard s3;
    private static EmulatorGuard dynamo;
    private static EmulatorGuard sqs;

    @BeforeAll
    static void start() throws Exception {
        emulators = AwsEmulators.start();
        s3 = EmulatorGuard.start(emulators.s3Endpoint(), EmulatorGuard.Api.S3);
        dynamo = EmulatorGuard.start(emulators.dynamoEndpoint(), EmulatorGuard.Api.AWS_JSON);
        sqs = EmulatorGuard.start(emulators.sqsEndpoint(), EmulatorGuard.Api.AWS_JSON);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        dynamo.close();
        sqs.close();
        emulators.close();
    }

    private static int port(EmulatorGuard guard) {
        return guard.endpoint().getPort();
    }

    @Test
    void aRequestAddressedToAnotherName_isRefused_asADnsRebindingPageWouldSendIt() throws Exception {
        assertThat(status(send(port(s3), "GET", "/", "evil.example:" + port(s3), null, null, ""))).isEqualTo(403);
        assertThat(status(send(port(dynamo), "POST", "/", "rebound.example", null, "application/x-amz-json-1.0",
                LIST_QUEUES))).isEqualTo(403);
    }

    @Test
    void aPagesRequest_withItsOrigin_isRefused_evenWithTheRightType() throws Exception {
        String host = "127.0.0.1:" + port(sqs);
        assertThat(status(send(port(sqs), "POST", "/", host, "http://localhost:3000", "application/x-amz-json-1.0",
                LIST_QUEUES))).isEqualTo(403);
    }

    @Test
    void bodiesAPageMaySendUnasked_areRefused_whereTheApiDoesNotTakeThem() throws Exception {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x"}) {
            assertThat(status(send(port(sqs), "POST", "/", "127.0.0.1:" + port(sqs), null, type,
                    "Action=CreateQueue&QueueName=planted"))).as(type).isEqualTo(415);
            assertThat(status(send(port(dynamo), "POST", "/", "localhost:" + port(dynamo), null, type, LIST_QUEUES)))
                    .as(type).isEqualTo(415);
            assertThat(status(send(port(s3), "POST", "/planted", "127.0.0.1:" + port(s3), null, type, "x")))
                    .as(type).isEqualTo(415);
        }
        // The query API by GET, as an image tag would send it.
        assertThat(status(send(port(sqs), "GET", "/?Action=CreateQueue&QueueName=planted", "127.0.0.1:" + port(sqs),
                null, null, ""))).isEqualTo(415);
        AwsClients direct = LocalPipeline.clients(emulators);
        assertThat(direct.sqs().listQueues().queueUrls()).noneMatch(url -> url.endsWith("/planted"));
    }

    @Test
    void theSdksSignedCalls_passUnchanged() {
        AwsClients guarded = AwsClients.forEndpoints(new AwsClients.Endpoints(AwsEmulators.REGION,
                AwsEmulators.ACCESS_KEY, AwsEmulators.SECRET_KEY, s3.endpoint(), dynamo.endpoint(), sqs.endpoint()));

        guarded.s3().createBucket(r -> r.bucket("guarded"));
        guarded.s3().putObject(r -> r.bucket("guarded").key("inbox/a.jsonl"),
                software.amazon.awssdk.core.sync.RequestBody.fromString("{}\n"));
        String queue = guarded.sqs().createQueue(r -> r.queueName("guarded")).queueUrl();

        assertThat(guarded.s3().getObjectAsBytes(r -> r.bucket("guarded").key("inbox/a.jsonl")).asUtf8String())
                .isEqualTo("{}\n");
        assertThat(guarded.dynamo().listTables().tableNames()).isNotNull();
        assertThat(guarded.sqs().getQueueUrl(r -> r.queueName("guarded")).queueUrl()).isEqualTo(queue);
    }

    /** DynamoDB Local binds every interface unless told otherwise: here only the loopback one answers. */
    @Test
    void dynamoDbLocal_answersOnTheLoopbackAddressOnly() throws Exception {
        InetAddress external = java.util.Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(NetworkInterface::inetAddresses).filter(address -> !address.isLoopbackAddress()
                        && address instanceof java.net.Inet4Address).findFirst().orElse(null);
        Assumptions.assumeTrue(external != null, "this machine has no address but the loopback one");
        int port = emulators.dynamoEndpoint().getPort();

        new Socket("127.0.0.1", port).close();
        assertThatThrownBy(() -> new Socket(external, port).close()).isInstanceOf(ConnectException.class);
    }
}
