package dev.batchline.local;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand over a socket, as a browser would send it: Java's HTTP client will not
 * set {@code Host} or {@code Origin} freely, which the browser guards' tests need.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** Sends one request to 127.0.0.1:{@code port} and returns the whole response. */
    public static String send(int port, String method, String path, String host, String origin, String type,
            String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\nContent-Length: " + content.length + "\r\n");
            if (origin != null) {
                request.append("Origin: ").append(origin).append("\r\n");
            }
            if (type != null) {
                request.append("Content-Type: ").append(type).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The status code of a response {@link #send} returned. */
    public static int status(String response) {
        return Integer.parseInt(response.split(" ", 3)[1]);
    }
}
