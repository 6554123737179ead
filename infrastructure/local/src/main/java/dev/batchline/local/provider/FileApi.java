package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The local provider's Files API: upload (multipart), list, retrieve, delete, and content by range. */
final class FileApi {

    private static final Logger LOG = LoggerFactory.getLogger(FileApi.class);
    private static final Pattern FILE = Pattern.compile("/v1/files/([^/]+)");
    private static final Pattern FILE_CONTENT = Pattern.compile("/v1/files/([^/]+)/content");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final FileStore files;
    private final LocalProviderConfig config;
    private final ApiReplies replies;
    private final ObjectMapper mapper;
    private final Clock clock;

    FileApi(FileStore files, LocalProviderConfig config, ApiReplies replies, ObjectMapper mapper, Clock clock) {
        this.files = files;
        this.config = config;
        this.replies = replies;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Answers a call under {@code /v1/files}; false when the call is not one of them. */
    boolean route(HttpExchange exchange, String method, String path) throws IOException {
        Matcher matcher;
        if (path.equals("/v1/files") && method.equals("POST")) {
            uploadFile(exchange);
        } else if (path.equals("/v1/files") && method.equals("GET")) {
            listFiles(exchange);
        } else if ((matcher = FILE_CONTENT.matcher(path)).matches() && method.equals("GET")) {
            fileContent(exchange, LocalProviderServer.decode(matcher.group(1)));
        } else if ((matcher = FILE.matcher(path)).matches() && method.equals("GET")) {
            withFile(exchange, LocalProviderServer.decode(matcher.group(1)),
                    file -> replies.json(exchange, 200, fileJson(file)));
        } else if ((matcher = FILE.matcher(path)).matches() && method.equals("DELETE")) {
            String id = LocalProviderServer.decode(matcher.group(1));
            if (files.delete(id)) {
                replies.json(exchange, 200, mapper.createObjectNode().put("id", id).put("object", "file")
                        .put("deleted", true));
            } else {
                replies.error(exchange, 404, "No such File object: " + id, "invalid_request_error", null, "id");
            }
        } else {
            return false;
        }
        return true;
    }

    private void uploadFile(HttpExchange exchange) throws IOException {
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        Matcher boundary = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
        if (!contentType.startsWith("multipart/form-data") || !boundary.find()) {
            ApiReplies.drain(exchange);
            replies.error(exchange, 400, "Expected multipart/form-data with a file and a purpose.",
                    "invalid_request_error", null, null);
            return;
        }
        MultipartReader reader = new MultipartReader(exchange.getRequestBody(), boundary.group(1));
        String purpose = null;
        String filename = null;
        Path content = null;
        Map<String, String> part;
        while ((part = reader.nextPart()) != null) {
            String disposition = part.getOrDefault("content-disposition", "");
            String name = parameter(disposition, "name");
            if ("file".equals(name)) {
                filename = Optional.ofNullable(parameter(disposition, "filename")).orElse("upload.jsonl");
                content = files.newContentPath();
                try (OutputStream out = Files.newOutputStream(content)) {
                    reader.copyBody(out);
                }
            } else {
                java.io.ByteArrayOutputStream value = new java.io.ByteArrayOutputStream();
                reader.copyBody(value);
                if ("purpose".equals(name)) {
                    purpose = value.toString(StandardCharsets.UTF_8);
                }
            }
        }
        if (content == null || purpose == null) {
            if (content != null) {
                Files.deleteIfExists(content);
            }
            replies.error(exchange, 400, "Both 'file' and 'purpose' are required.", "invalid_request_error", null,
                    content == null ? "file" : "purpose");
            return;
        }
        FileStore.StoredFile file = files.register(content, filename, purpose, clock.instant());
        replies.json(exchange, 200, fileJson(file));
    }

    private static String parameter(String header, String name) {
        Matcher matcher = Pattern.compile("(?:^|;)\\s*" + name + "=\"([^\"]*)\"").matcher(header);
        return matcher.find() ? matcher.group(1) : null;
    }

    private void listFiles(HttpExchange exchange) throws IOException {
        ObjectNode list = mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        List<FileStore.StoredFile> all = files.list();
        all.forEach(file -> data.add(fileJson(file)));
        list.put("first_id", all.isEmpty() ? "" : all.get(0).id());
        list.put("last_id", all.isEmpty() ? "" : all.get(all.size() - 1).id());
        list.put("has_more", false);
        replies.json(exchange, 200, list);
    }

    /**
     * The file's bytes; a {@code Range: bytes=N-} or {@code bytes=N-M} request gets that part (206),
     * as HTTP servers that honour ranges do, so a copy cut short can resume.
     */
    private void fileContent(HttpExchange exchange, String id) throws IOException {
        withFile(exchange, id, file -> {
            long size = file.bytes();
            long truncate = config.faults().truncateDownloadsAfterBytes();
            long rate = config.faults().downloadBytesPerSecond();
            Matcher range = RANGE.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Range")));
            long from = range.matches() ? Long.parseLong(range.group(1)) : 0;
            long to = range.matches() && !range.group(2).isEmpty() ? Math.min(size - 1, Long.parseLong(range.group(2)))
                    : size - 1;
            if (range.matches() && (from >= size || from > to)) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + size);
                exchange.sendResponseHeaders(416, -1);
                exchange.close();
                return;
            }
            long length = to - from + 1;
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (range.matches()) {
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
            }
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            exchange.sendResponseHeaders(range.matches() ? 206 : 200, length == 0 ? -1 : length);
            try (InputStream in = Files.newInputStream(file.path()); OutputStream out = exchange.getResponseBody()) {
                in.skipNBytes(from);
                byte[] buffer = new byte[8192];
                long sent = 0;
                long started = System.nanoTime();
                int n;
                while (sent < length && (n = in.read(buffer, 0, (int) Math.min(buffer.length, length - sent))) > 0) {
                    if (truncate > 0 && sent + n > truncate) {
                        out.write(buffer, 0, (int) (truncate - sent));
                        out.flush();
                        // Ending the exchange now leaves the client short of the announced length.
                        throw new IOException("content truncated after " + truncate + " bytes (injected)");
                    }
                    out.write(buffer, 0, n);
                    sent += n;
                    if (rate > 0) {
                        throttle(sent, rate, started);
                    }
                }
            } catch (IOException e) {
                LOG.info("local provider: download of {} ended early: {}", id, e.getMessage());
                throw e;
            }
        });
    }

    private static void throttle(long sent, long bytesPerSecond, long startedNanos) throws IOException {
        long dueNanos = startedNanos + sent * 1_000_000_000L / bytesPerSecond;
        long waitNanos = dueNanos - System.nanoTime();
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while throttling", e);
            }
        }
    }

    private interface FileAction {
        void run(FileStore.StoredFile file) throws IOException;
    }

    private void withFile(HttpExchange exchange, String id, FileAction action) throws IOException {
        Optional<FileStore.StoredFile> file = files.find(id);
        if (file.isEmpty()) {
            replies.error(exchange, 404, "No such File object: " + id, "invalid_request_error", null, "id");
            return;
        }
        action.run(file.get());
    }

    private ObjectNode fileJson(FileStore.StoredFile file) {
        ObjectNode node = mapper.createObjectNode().put("id", file.id()).put("object", "file")
                .put("bytes", file.bytes()).put("created_at", file.createdAt().getEpochSecond())
                .put("filename", file.filename()).put("purpose", file.purpose()).put("status", "processed");
        node.putNull("expires_at");
        node.putNull("status_details");
        return node;
    }
}
