package dev.batchline.provider;

import dev.batchline.storage.S3ObjectOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One attempt to copy a provider file into an S3 object, streaming: it resumes an earlier
 * attempt's multipart upload with {@code Range}, gives up at its deadline even when the body
 * stalls, and either keeps the object only when whole or, on a copy's last attempt, keeps whatever
 * arrived.
 */
final class FileDownload {

    private static final Logger LOG = LoggerFactory.getLogger(FileDownload.class);
    private static final int PARTIAL_CONTENT = 206;
    private static final int RANGE_NOT_SATISFIABLE = 416;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "batchline-download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final ProviderHttp http;
    private final S3Client s3;
    private final int s3PartBytes;
    private final Clock clock;

    FileDownload(ProviderHttp http, S3Client s3, int s3PartBytes, Clock clock) {
        this.http = http;
        this.s3 = s3;
        this.s3PartBytes = s3PartBytes;
        this.clock = clock;
    }

    BatchProvider.Download attempt(String what, String fileId, String bucket, String key, Instant deadline,
            boolean keepWhatArrives) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new TransientProviderException(what + " did not finish before its deadline", -1, null, null, null);
        }
        // An earlier attempt, in this process or one that timed out, may have copied whole parts already.
        S3ObjectOutputStream out = S3ObjectOutputStream.resume(s3, bucket, key, "application/jsonl",
                s3PartBytes);
        long offset = out.resumedBytes();
        HttpRequest.Builder request = http.request("/files/" + ProviderHttp.encode(fileId) + "/content", left).GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> response = http.send(what, request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() == RANGE_NOT_SATISFIABLE && offset > 0) {
            // Every byte was copied; only the completion was lost.
            ProviderHttp.closeQuietly(response.body());
            complete(what, out);
            return new BatchProvider.Download(offset, true);
        }
        if (response.statusCode() / 100 != 2) {
            byte[] errorBody = ProviderHttp.readQuietly(response.body());
            if (keepWhatArrives) {
                complete(what, out);
                return new BatchProvider.Download(offset, false);
            }
            out.suspend();
            throw http.failure(what, response.statusCode(), errorBody, response.headers());
        }
        boolean partial = response.statusCode() == PARTIAL_CONTENT;
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        long expected = length < 0 ? -1 : partial ? offset + length : length;
        InputStream body = response.body();
        long copied = offset;
        // The HTTP client's time-out ends with the headers; a stalled body is closed under the reader.
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> ProviderHttp.closeQuietly(body), left.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            if (!partial && offset > 0) {
                body.skipNBytes(offset); // the provider ignores Range: skip what is already copied
            }
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = body.read(buffer)) >= 0; ) {
                out.write(buffer, 0, read);
                copied += read;
            }
            if (expected >= 0 && copied != expected) {
                throw new IOException("the body ended after " + copied + " of " + expected + " bytes");
            }
            out.close();
            return new BatchProvider.Download(copied, true);
        } catch (IOException e) {
            if (keepWhatArrives) {
                LOG.warn("{} kept {} bytes: {}", what, copied, e.getMessage());
                complete(what, out);
                return new BatchProvider.Download(copied, false);
            }
            out.suspend();
            String reason = clock.instant().isBefore(deadline) ? e.getMessage() : "it stalled past its deadline";
            throw new TransientProviderException(what + " failed: " + reason, -1, null, null, e);
        } catch (RuntimeException e) {
            out.abort();
            throw e;
        } finally {
            watchdog.cancel(false);
            ProviderHttp.closeQuietly(body);
        }
    }

    private static void complete(String what, S3ObjectOutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            throw new TransientProviderException(what + " could not be completed in S3: " + e.getMessage(), -1,
                    null, null, e);
        }
    }

}
