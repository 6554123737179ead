package dev.batchline.local.provider;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How the local provider behaves: its timing (scaled so tests finish in seconds), the faults it
 * injects, and optionally a real synchronous endpoint it forwards each request to. Read from the
 * JSON file given to {@code batchline provider --config}; every field is optional.
 */
public record LocalProviderConfig(Timing timing, Faults faults, Upstream upstream) {

    public static final LocalProviderConfig DEFAULTS = new LocalProviderConfig(null, null, null);

    public LocalProviderConfig {
        timing = timing == null ? Timing.DEFAULTS : timing;
        faults = faults == null ? Faults.NONE : faults;
    }

    /** The config file, strictly: a misspelt fault must not be silently ignored. Null gives the defaults. */
    public static LocalProviderConfig read(Path file) throws IOException {
        if (file == null) {
            return DEFAULTS;
        }
        ObjectMapper strict = Json.mapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            return strict.readValue(file.toFile(), LocalProviderConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /**
     * @param validatingMillis  time a batch spends in {@code validating}
     * @param requestsPerSecond requests a batch processes per second while {@code in_progress}
     * @param finalizingMillis  time in {@code finalizing}
     * @param cancellingMillis  time in {@code cancelling}
     * @param expireAfterMillis time from creation until an unfinished batch expires (the completion window)
     */
    public record Timing(Long validatingMillis, Integer requestsPerSecond, Long finalizingMillis,
            Long cancellingMillis, Long expireAfterMillis) {

        public static final Timing DEFAULTS = new Timing(null, null, null, null, null);

        public Timing {
            validatingMillis = validatingMillis == null ? 200L : validatingMillis;
            requestsPerSecond = requestsPerSecond == null ? 5_000 : requestsPerSecond;
            finalizingMillis = finalizingMillis == null ? 200L : finalizingMillis;
            cancellingMillis = cancellingMillis == null ? 200L : cancellingMillis;
            expireAfterMillis = expireAfterMillis == null ? 24 * 3_600_000L : expireAfterMillis;
        }
    }

    /**
     * @param failRequests        requests that fail at the "model", chosen by custom_id
     * @param failCalls           API calls answered with an error status, the first few times
     * @param downloadBytesPerSecond file content served at most this fast (0: unthrottled)
     * @param truncateDownloadsAfterBytes file content cut after this many bytes (0: whole)
     * @param stuckFinalizingMillis extra time a batch stays in {@code finalizing}
     * @param maxConcurrentBatches batches in progress at once; more fail with {@code token_limit_exceeded} (0: no limit)
     * @param quirks              provider oddities to imitate
     */
    public record Faults(List<RequestFailure> failRequests, List<CallFailure> failCalls,
            Long downloadBytesPerSecond, Long truncateDownloadsAfterBytes, Long stuckFinalizingMillis,
            Integer maxConcurrentBatches, Quirks quirks) {

        public static final Faults NONE = new Faults(null, null, null, null, null, null, null);

        public Faults {
            failRequests = failRequests == null ? List.of() : List.copyOf(failRequests);
            failCalls = failCalls == null ? List.of() : List.copyOf(failCalls);
            downloadBytesPerSecond = downloadBytesPerSecond == null ? 0L : downloadBytesPerSecond;
            truncateDownloadsAfterBytes = truncateDownloadsAfterBytes == null ? 0L : truncateDownloadsAfterBytes;
            stuckFinalizingMillis = stuckFinalizingMillis == null ? 0L : stuckFinalizingMillis;
            maxConcurrentBatches = maxConcurrentBatches == null ? 0 : maxConcurrentBatches;
            quirks = quirks == null ? Quirks.NONE : quirks;
        }
    }

    /**
     * Requests whose custom_id matches {@code customIdPattern} (a regular expression, whole match)
     * get this status code and error body instead of a model answer.
     */
    public record RequestFailure(String customIdPattern, Integer statusCode, String errorCode, String message) {

        public RequestFailure {
            Pattern.compile(customIdPattern);
            statusCode = statusCode == null ? 500 : statusCode;
            errorCode = errorCode == null ? "server_error" : errorCode;
            message = message == null ? "The model failed to answer this request (injected)." : message;
        }

        boolean matches(String customId) {
            return customId != null && Pattern.matches(customIdPattern, customId);
        }
    }

    /**
     * The first {@code times} calls of {@code method} on paths starting with {@code pathPrefix}
     * (e.g. {@code /v1/batches}) get {@code status}, with {@code Retry-After} when given; with
     * {@code after}, each is carried out first and only its answer replaced, as when a provider's
     * answer is lost on the way back. With {@code stallMillis}, each is first held that long (past a
     * client's time-out, say), so a call the client gave up on may still take effect later.
     */
    public record CallFailure(String method, String pathPrefix, Integer status, Integer times,
            Integer retryAfterSeconds, Boolean after, Long stallMillis) {

        @JsonCreator
        public CallFailure {
            method = method == null ? "*" : method;
            pathPrefix = pathPrefix == null ? "/" : pathPrefix;
            status = status == null ? 500 : status;
            times = times == null ? 1 : times;
            after = after != null && after;
            stallMillis = stallMillis == null ? 0L : stallMillis;
        }

        /** A failure that stops the call before it takes effect. */
        public CallFailure(String method, String pathPrefix, Integer status, Integer times,
                Integer retryAfterSeconds) {
            this(method, pathPrefix, status, times, retryAfterSeconds, false, 0L);
        }

        /** A failure that lets the call take effect ({@code after}) or not, answering at once. */
        public CallFailure(String method, String pathPrefix, Integer status, Integer times,
                Integer retryAfterSeconds, Boolean after) {
            this(method, pathPrefix, status, times, retryAfterSeconds, after, 0L);
        }
    }

    /**
     * @param uppercaseStatus statuses in capitals ({@code IN_PROGRESS})
     * @param emptyFileIds    {@code ""} instead of null for absent file ids
     * @param extraFields     fields the OpenAI API does not have
     */
    public record Quirks(Boolean uppercaseStatus, Boolean emptyFileIds, Boolean extraFields) {

        public static final Quirks NONE = new Quirks(null, null, null);

        public Quirks {
            uppercaseStatus = Boolean.TRUE.equals(uppercaseStatus);
            emptyFileIds = Boolean.TRUE.equals(emptyFileIds);
            extraFields = Boolean.TRUE.equals(extraFields);
        }
    }

    /**
     * A synchronous OpenAI-compatible endpoint that answers each request of a batch, e.g. a local
     * model server: {@code baseUrl} up to {@code /v1}, the key read from {@code apiKeyEnv}.
     */
    public record Upstream(String baseUrl, String apiKeyEnv, Integer timeoutSeconds) {

        public Upstream {
            timeoutSeconds = timeoutSeconds == null ? 120 : timeoutSeconds;
        }
    }
}
