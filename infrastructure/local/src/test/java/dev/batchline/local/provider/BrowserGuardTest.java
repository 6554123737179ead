package dev.batchline.local.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchline.config.Json;
import dev.batchline.local.RawHttp;
import java.net.URI;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local provider refuses what a web page can make a browser send: raw HTTP over a socket, since
 * Java's HTTP client will not set {@code Host} or {@code Origin} as a browser would.
 */
class BrowserGuardTest {

    private static final String BATCH = "{\"input_file_id\":\"file-x\",\"endpoint\":\"/v1/chat/completions\","
            + "\"completion_window\":\"24h\"}";

    private LocalProviderServer provider;
    private int port;

    @BeforeEach
    void start() throws Exception {
        provider = LocalProviderServer.start(0, LocalProviderConfig.read(null), null, Json.mapper(),
                Clock.systemUTC());
        port = URI.create(provider.baseUrl()).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        provider.close();
    }

    private String send(String method, String path, String host, String origin, String type, String body)
            throws Exception {
        return RawHttp.send(port, method, path, host, origin, type, body);
    }

    private static int status(String response) {
        return RawHttp.status(response);
    }

    @Test
    void aRequestAddressedToAnotherName_isRefused_asADnsRebindingPageWouldSendIt() throws Exception {
        assertThat(status(send("GET", "/v1/batches", "evil.example", null, null, ""))).isEqualTo(403);
        assertThat(status(send("GET", "/v1/batches", "evil.example:" + port, null, null, ""))).isEqualTo(403);
        assertThat(status(send("GET", "/v1/batches", "127.0.0.1:" + port, null, null, ""))).isEqualTo(200);
        assertThat(status(send("GET", "/v1/batches", "localhost:" + port, null, null, ""))).isEqualTo(200);
    }

    @Test
    void jsonSentAsTextOrAForm_isRefused_andCreatesNoBatch() throws Exception {
        String host = "127.0.0.1:" + port;
        assertThat(status(send("POST", "/v1/batches", host, null, "text/plain", BATCH))).isEqualTo(415);
        assertThat(status(send("POST", "/v1/batches", host, null, "application/x-www-form-urlencoded", BATCH)))
                .isEqualTo(415);
        assertThat(status(send("POST", "/v1/batches", host, null, "multipart/form-data; boundary=x", BATCH)))
                .isEqualTo(415);
        assertThat(send("GET", "/v1/batches", host, null, null, "")).contains("\"data\":[]");
        // The same body as JSON reaches the API, which answers for the file it does not have.
        String asJson = send("POST", "/v1/batches", host, null, "application/json", BATCH);
        assertThat(status(asJson)).isEqualTo(400);
        assertThat(asJson).contains("file-x");
    }

    @Test
    void aRequestFromAWebPage_isRefused_whateverItsBody() throws Exception {
        String host = "127.0.0.1:" + port;
        assertThat(status(send("POST", "/v1/files", host, "https://evil.example", "multipart/form-data; boundary=x",
                "--x--\r\n"))).isEqualTo(403);
        assertThat(status(send("GET", "/v1/files", host, "http://localhost:3000", null, ""))).isEqualTo(200);
    }
}
