package dev.batchline.emulators;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.regions.Region;

/**
 * DynamoDB Local, ElasticMQ and S3Proxy on free loopback ports, in this JVM. S3Proxy keeps objects
 * on disk in a temporary folder, so large test objects do not count against the heap.
 */
public final class AwsEmulators implements AutoCloseable {

    public static final String ACCESS_KEY = "batchline";
    public static final String SECRET_KEY = "batchline-secret";
    public static final Region REGION = Region.US_EAST_1;

    private final DynamoDBProxyServer dynamo;
    private final SQSRestServer sqs;
    private final S3Proxy s3;
    private final Path blobDirectory;
    private final URI dynamoEndpoint;
    private final URI sqsEndpoint;
    private final URI s3Endpoint;

    private AwsEmulators(DynamoDBProxyServer dynamo, URI dynamoEndpoint, SQSRestServer sqs, URI sqsEndpoint,
            S3Proxy s3, URI s3Endpoint, Path blobDirectory) {
        this.dynamo = dynamo;
        this.dynamoEndpoint = dynamoEndpoint;
        this.sqs = sqs;
        this.sqsEndpoint = sqsEndpoint;
        this.s3 = s3;
        this.s3Endpoint = s3Endpoint;
        this.blobDirectory = blobDirectory;
    }

    public static AwsEmulators start() throws Exception {
        int dynamoPort = freePort();
        DynamoDBProxyServer dynamo;
        // DynamoDB Local prints its configuration to stdout, which is the command line's output.
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            // No page may read it (CORS allows one origin that no page has), and it reports to no one.
            dynamo = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port",
                    Integer.toString(dynamoPort), "-cors", "http://batchline-no-browser.invalid", "-disableTelemetry"});
            bindToLoopback(dynamo);
            dynamo.start();
        } finally {
            System.setOut(stdout);
        }

        SQSRestServer sqs = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                .withAWSRegion(REGION.id()).start();
        int sqsPort = sqs.waitUntilStarted().localAddress().getPort();

        Path blobDirectory = Files.createTempDirectory("batchline-s3");
        S3Proxy s3 = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(blobDirectory.toString()))
                .endpoint(URI.create("http://127.0.0.1:" + freePort()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        s3.start();
        return new AwsEmulators(dynamo, URI.create("http://127.0.0.1:" + dynamoPort), sqs,
                URI.create("http://127.0.0.1:" + sqsPort), s3, URI.create("http://127.0.0.1:" + s3.getPort()),
                blobDirectory);
    }

    /**
     * DynamoDB Local listens on every interface and offers no option to choose: its Jetty
     * connector is set to the loopback address before it starts, so no other machine reaches the
     * table. Fails rather than start open when its layout is not the one this was written for.
     */
    private static void bindToLoopback(DynamoDBProxyServer dynamo) throws IllegalAccessException {
        for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
            if (Server.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                for (Connector connector : ((Server) field.get(dynamo)).getConnectors()) {
                    ((ServerConnector) connector).setHost("127.0.0.1");
                }
                return;
            }
        }
        throw new IllegalStateException("DynamoDB Local has no Jetty server to bind to the loopback address");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public URI dynamoEndpoint() {
        return dynamoEndpoint;
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public URI s3Endpoint() {
        return s3Endpoint;
    }

    @Override
    public void close() throws Exception {
        s3.stop();
        sqs.stopAndWait();
        dynamo.stop();
        try (Stream<Path> files = Files.walk(blobDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
