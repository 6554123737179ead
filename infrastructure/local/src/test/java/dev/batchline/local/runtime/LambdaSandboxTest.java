package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.config.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox under the runtime interface client, with a probe function from the test classes: an
 * answer, a handler's error, a process that dies mid-call or outlives its timeout (the next call
 * gets a fresh process, which nothing of the dead one can disturb), and an initialisation that fails.
 */
class LambdaSandboxTest {

    @TempDir
    Path directory;

    private LambdaSandbox sandbox(Class<?> handler, Duration timeout) throws Exception {
        List<Path> runtime = Arrays.stream(Files.readString(Path.of("target/lambda-runtime.classpath")).trim()
                .split(java.io.File.pathSeparator)).map(Path::of).toList();
        LambdaSandbox.Definition definition = new LambdaSandbox.Definition("probe", handler.getName()
                + "::handleRequest", 256, timeout, Map.of());
        return new LambdaSandbox(definition, LambdaSandbox.Initialization.ON_DEMAND,
                Path.of("target/test-classes").toAbsolutePath(), runtime, LambdaSandbox.allowedCpus().get(0),
                directory.resolve("probe.log"));
    }

    private static LocalFunction.Invocation call(LambdaSandbox sandbox, String event) throws Exception {
        return sandbox.invoke(("\"" + event + "\"").getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(LocalFunction.Invocation invocation) throws Exception {
        return Json.mapper().readTree(invocation.payload());
    }

    @Test
    void answersAndErrors_comeBackAsLambdaReturnsThem() throws Exception {
        try (LambdaSandbox sandbox = sandbox(SandboxProbe.class, Duration.ofMinutes(1))) {
            LocalFunction.Invocation answer = call(sandbox, "hello");
            LocalFunction.Invocation failure = call(sandbox, "fail");

            assertThat(answer.functionError()).isFalse();
            assertThat(json(answer).path("echo").asText()).isEqualTo("hello");
            assertThat(failure.functionError()).isTrue();
            assertThat(json(failure).path("errorType").asText()).isEqualTo(IllegalStateException.class.getName());
            assertThat(json(failure).path("errorMessage").asText()).contains("the probe fails as asked");
            assertThat(sandbox.responses()).isEqualTo(1);
        }
    }

    @Test
    void aProcessThatDiesMidCall_isAnExitError_andTheNextCallGetsAFreshOne() throws Exception {
        try (LambdaSandbox sandbox = sandbox(SandboxProbe.class, Duration.ofMinutes(1))) {
            LocalFunction.Invocation died = call(sandbox, "exit");
            LocalFunction.Invocation after = call(sandbox, "again");

            assertThat(died.functionError()).isTrue();
            assertThat(json(died).path("errorType").asText()).isEqualTo("Runtime.ExitError");
            assertThat(after.functionError()).isFalse();
            assertThat(json(after).path("echo").asText()).isEqualTo("again");
        }
    }

    @Test
    void aCallPastItsTimeout_endsTheProcess_andTheNextCallGetsAFreshOne() throws Exception {
        try (LambdaSandbox sandbox = sandbox(SandboxProbe.class, Duration.ofSeconds(3))) {
            LocalFunction.Invocation hung = call(sandbox, "hang");
            LocalFunction.Invocation after = call(sandbox, "again");

            assertThat(hung.functionError()).isTrue();
            assertThat(json(hung).path("errorType").asText()).isEqualTo("Sandbox.Timedout");
            assertThat(after.functionError()).as(new String(after.payload(), StandardCharsets.UTF_8)).isFalse();
            assertThat(json(after).path("echo").asText()).isEqualTo("again");
        }
    }

    @Test
    void anInitialisationThatFails_answersTheCallWithTheRuntimesReport() throws Exception {
        try (LambdaSandbox sandbox = sandbox(SandboxProbe.Broken.class, Duration.ofMinutes(1))) {
            LocalFunction.Invocation refused = call(sandbox, "hello");

            assertThat(refused.functionError()).isTrue();
            assertThat(new String(refused.payload(), StandardCharsets.UTF_8)).contains("the probe cannot start");
        }
    }

    @Test
    void aClosedSandbox_takesNoMoreCalls() throws Exception {
        LambdaSandbox sandbox = sandbox(SandboxProbe.class, Duration.ofMinutes(1));
        sandbox.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> call(sandbox, "hello"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
