package dev.batchline.local.runtime;

import static dev.batchline.local.RawHttp.send;
import static dev.batchline.local.RawHttp.status;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The local Lambda endpoint runs a function for the engine on this machine, never for a web page. */
class LocalLambdaEndpointTest {

    @Test
    void aPageOrARebindingName_cannotInvokeAFunction_theEngineCan() throws Exception {
        List<String> invoked = new CopyOnWriteArrayList<>();
        LocalFunction function = new InProcessFunction("batchline-probe", (in, out, context) -> {
            invoked.add(new String(in.readAllBytes()));
            out.write("{}".getBytes());
        }, Duration.ofSeconds(5));
        try (LocalLambdaEndpoint endpoint = LocalLambdaEndpoint.start(Map.of("batchline-probe", function))) {
            int port = URI.create(endpoint.url()).getPort();
            String path = "/2015-03-31/functions/" + LocalLambdaEndpoint.arn("batchline-probe") + "/invocations";

            int rebound = status(send(port, "POST", path, "rebound.example", null, "text/plain", "{\"page\":1}"));
            int page = status(send(port, "POST", path, "127.0.0.1:" + port, "http://localhost:8080", "text/plain",
                    "{\"page\":2}"));
            int engine = status(send(port, "POST", path, "127.0.0.1:" + port, null, null, "{\"engine\":true}"));

            assertThat(rebound).isEqualTo(403);
            assertThat(page).isEqualTo(403);
            assertThat(engine).isEqualTo(200);
            assertThat(invoked).containsExactly("{\"engine\":true}");
        }
    }
}
