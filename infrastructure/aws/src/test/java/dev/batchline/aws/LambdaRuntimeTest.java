package dev.batchline.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.complete.Manifest;
import dev.batchline.job.JobStatus;
import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.local.runtime.EndToEndSupport;
import dev.batchline.local.runtime.FunctionHosting;
import dev.batchline.local.runtime.LambdaSandbox;
import dev.batchline.local.runtime.LocalFunction;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.local.runtime.SandboxPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The synthesised template's functions run as Lambda runs them: each in a JVM of its own, from the
 * shaded jar unpacked as a task root, under the official runtime interface client, with the
 * template's handler, memory and environment, taking events from a local Runtime API. One job goes
 * through all of them.
 */
class LambdaRuntimeTest extends EndToEndSupport {

    @Test
    void everyFunctionOfTheTemplate_handlesARealEventUnderTheRuntimeInterfaceClient() throws Exception {
        Map<BatchlineFunction, LambdaSandbox.Definition> deployed = TemplateFunctions.definitions(
                SynthesizedStack.json(SynthesizedStack.template()));
        assertThat(deployed).containsOnlyKeys(BatchlineFunction.values());
        // The catalog's own definitions (the cold-start benchmark's) are the template's, less its configuration.
        deployed.forEach((function, definition) -> {
            LambdaSandbox.Definition catalog = LambdaSandbox.Definition.of(function);
            assertThat(List.of(catalog.handler(), catalog.memoryMb(), catalog.timeout())).as(function.name())
                    .isEqualTo(List.of(definition.handler(), definition.memoryMb(), definition.timeout()));
            assertThat(definition.environment()).as(function.name()).containsAllEntriesOf(catalog.environment());
        });
        // The provider refuses part 1's upload for good: FailPart runs beside the steps of a job that completes.
        try (LocalPipeline pipeline = LocalPipeline.start(settings(fast(firstUploadRefused()),
                Map.of("maxRequestsPerBatch", 2, "maxConcurrentBatches", 1), Map.of()),
                FunctionHosting.LambdaProcesses.fromBuild(ROOT, deployed::get,
                        LambdaSandbox.Initialization.SNAP_START, 2))) {
            String jobId = runToEnd(pipeline, requests("through-the-runtime.jsonl", 6));

            Map<String, JsonNode> errors = assertAccountedFor(pipeline, jobId, 6);
            assertThat(errors).containsOnlyKeys("req-1", "req-2");
            assertThat(errors.values()).allSatisfy(error ->
                    assertThat(error.path("error").path("code").asText()).isEqualTo("part_failed"));

            // FailJob as a late Catch would bring it to a job that completed: the completion stands.
            LocalFunction.Invocation late = pipeline.functions().get(BatchlineFunction.FAIL_JOB).invoke(
                    ("{\"jobId\":\"" + jobId + "\",\"error\":{\"Error\":\"States.TaskFailed\",\"Cause\":\"late\"}}")
                            .getBytes(StandardCharsets.UTF_8));
            assertThat(late.functionError()).as(new String(late.payload(), StandardCharsets.UTF_8)).isFalse();
            // ... and is not counted again: the metrics the late call logged (EMF) end no job.
            for (LambdaSandbox sandbox : sandboxes(pipeline, BatchlineFunction.FAIL_JOB)) {
                assertThat(Files.readString(sandbox.log())).doesNotContain("\"JobsCompleted\"")
                        .doesNotContain("\"JobsFailed\"");
            }
            assertThat(pipeline.jobs().find(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(manifest(pipeline, jobId).status()).isEqualTo("completed");
            assertAccountedFor(pipeline, jobId, 6);

            for (BatchlineFunction function : BatchlineFunction.values()) {
                List<LambdaSandbox> sandboxes = sandboxes(pipeline, function);
                assertThat(sandboxes).as(function.name()).isNotEmpty().allSatisfy(sandbox ->
                        assertThat(sandbox.definition().memoryMb()).isEqualTo(function.memoryMb()));
                assertThat(sandboxes.stream().mapToInt(LambdaSandbox::responses).sum())
                        .as(function + " answered events").isPositive();
            }
            Manifest manifest = manifest(pipeline, jobId);
            assertThat(manifest.counts().succeeded()).isEqualTo(4);
        }
    }

    private static List<LambdaSandbox> sandboxes(LocalPipeline pipeline, BatchlineFunction function) {
        assertThat(pipeline.functions().get(function)).as(function.name()).isInstanceOf(SandboxPool.class);
        return ((SandboxPool) pipeline.functions().get(function)).sandboxes();
    }
}
