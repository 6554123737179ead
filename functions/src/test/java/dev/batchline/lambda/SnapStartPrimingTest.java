package dev.batchline.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SnapStart hooks, called directly (a stock JDK never fires them), in a JVM that refuses every
 * network permission: priming touches no network, and the refusal is shown to bite.
 */
class SnapStartPrimingTest {

    private static Run run(String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Djava.security.manager=allow",
                "-cp", System.getProperty("java.class.path"), PrimingWithoutNetwork.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private record Run(int exit, String output) {
    }

    @Test
    void beforeCheckpoint_primesThePayloadsAndModels_withoutTouchingTheNetwork() throws Exception {
        Run primed = run();

        assertThat(primed.exit()).as(primed.output()).isZero();
        assertThat(primed.output()).contains("primed without network");
        // The steps' first SDK calls ran whole, each canned answer accepted by its model.
        assertThat(primed.output()).contains("calls answered from memory: [DynamoDB_20120810.GetItem, "
                + "DynamoDB_20120810.UpdateItem, DynamoDB_20120810.Query, S3 GET, S3 PUT, AmazonSQS.SendMessage]")
                .contains("answers refused: []");
    }

    @Test
    void aHookThatConnects_isCaughtByTheSameCheck() throws Exception {
        Run control = run("control");

        assertThat(control.exit()).isNotZero();
        assertThat(control.output()).contains("network during the checkpoint");
    }
}
