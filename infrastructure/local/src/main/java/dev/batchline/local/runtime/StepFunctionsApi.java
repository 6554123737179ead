package dev.batchline.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.batchline.config.Json;
import dev.batchline.ingest.WorkflowInput;
import dev.batchline.ingest.WorkflowStarter;
import dev.batchline.local.provider.LoopbackOnly;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one Step Functions call the upload function makes, {@code StartExecution} (JSON 1.0 protocol),
 * on a loopback port in front of the local workflow: what a function in a process of its own calls
 * through {@code AWS_ENDPOINT_URL_SFN}. Any other operation is refused as the service refuses an
 * unknown one.
 */
final class StepFunctionsApi implements AutoCloseable {

    private final HttpServer server;
    private final WorkflowStarter workflow;
    private final ObjectMapper mapper = Json.mapper();

    private StepFunctionsApi(HttpServer server, WorkflowStarter workflow) {
        this.server = server;
        this.workflow = workflow;
    }

    static StepFunctionsApi start(WorkflowStarter workflow) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        StepFunctionsApi api = new StepFunctionsApi(server, workflow);
        server.createContext("/", api::serve);
        server.start();
        return api;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Optional<String> foreign = LoopbackOnly.refusal(exchange.getRequestHeaders().getFirst("Host"),
                    exchange.getRequestHeaders().getFirst("Origin"), false);
            if (foreign.isPresent()) {
                send(exchange, LoopbackOnly.FORBIDDEN, error("AccessDeniedException", foreign.get()));
                return;
            }
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            if (!target.equals("AWSStepFunctions.StartExecution")) {
                send(exchange, 400, error("UnknownOperationException", "not served locally: " + target));
                return;
            }
            JsonNode request;
            WorkflowInput input;
            try {
                request = mapper.readTree(body);
                input = mapper.readValue(request.path("input").asText(), WorkflowInput.class);
            } catch (IOException unreadable) {
                send(exchange, 400, error("InvalidExecutionInput", "not a StartExecution request with a workflow input: "
                        + unreadable.getMessage()));
                return;
            }
            if (!LocalPipeline.STATE_MACHINE_ARN.equals(request.path("stateMachineArn").asText())) {
                send(exchange, 400, error("StateMachineDoesNotExist", "State Machine Does Not Exist: '"
                        + request.path("stateMachineArn").asText() + "'"));
                return;
            }
            String executionArn;
            try {
                executionArn = workflow.start(request.path("name").asText(), input);
            } catch (RuntimeException failed) {
                send(exchange, 500, error("InternalServerError", "the local workflow did not start: " + failed));
                return;
            }
            Map<String, Object> started = new LinkedHashMap<>();
            started.put("executionArn", executionArn);
            started.put("startDate", System.currentTimeMillis() / 1000.0);
            send(exchange, 200, started);
        }
    }

    private static Map<String, Object> error(String type, String message) {
        return Map.of("__type", type, "message", String.valueOf(message));
    }

    private void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        HttpAnswers.send(exchange, status, "application/x-amz-json-1.0", mapper.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
