package dev.batchline.operate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.AwsClients;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * What {@code batchline local start} writes to {@code .batchline/local.json} while its stack is up,
 * and what {@code --local} commands and {@code local stop} read: the process, the emulators' and
 * the local provider's loopback endpoints, the emulators' fixed local credentials (no secret of
 * anyone's: a provider key is only ever named by {@code env:VAR} in {@code profiles}), the bucket,
 * table and queue, and the profiles the stack runs with.
 *
 * @param startedAt when the stack's process started, as the operating system says: with the pid,
 *                  it tells the stack's process from a later one given the same pid
 */
public record LocalStackState(long pid, Instant startedAt, String region, String accessKeyId,
        String secretAccessKey, URI s3, URI dynamo, URI sqs, String bucket, String table, String eventsQueueUrl,
        String providerUrl, String defaultProfile, String profiles) {

    public static final String DIRECTORY = ".batchline";
    public static final String FILE = "local.json";
    public static final String LOG = "local.log";

    public static Path file(Path directory) {
        return directory.resolve(FILE);
    }

    /** Written whole or not at all: a command reading it never sees half a file. */
    public void write(Path directory, ObjectMapper mapper) throws IOException {
        Files.createDirectories(directory);
        Path partial = Files.createTempFile(directory, FILE, ".partial");
        mapper.writerWithDefaultPrettyPrinter().writeValue(partial.toFile(), this);
        try {
            Files.move(partial, file(directory), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, file(directory), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The state of a local stack whose process is still alive; empty when none is up. */
    public static Optional<LocalStackState> readLive(Path directory, ObjectMapper mapper) throws IOException {
        Path file = file(directory);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        LocalStackState state = mapper.readValue(file.toFile(), LocalStackState.class);
        // The same process, not another that took its pid after a crash or a reboot left the file behind.
        return ProcessHandle.of(state.pid()).filter(ProcessHandle::isAlive)
                .filter(process -> process.info().startInstant().map(state.startedAt()::equals).orElse(true))
                .map(alive -> state);
    }

    /** The stack as the commands operate it. */
    public Stack stack() {
        return new Stack("local", AwsClients.forEndpoints(new AwsClients.Endpoints(Region.of(region), accessKeyId,
                secretAccessKey, s3, dynamo, sqs)), bucket, table, eventsQueueUrl, defaultProfile, profiles);
    }
}
