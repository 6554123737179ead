package dev.batchline.provider;

import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What Batchline must know about one OpenAI-compatible provider: where it is, how to authenticate,
 * and the limits a batch file must fit.
 *
 * @param name                 the profile name, also the upload prefix {@code inbox/<name>/}
 * @param baseUrl              the API base, ending before {@code /files} (e.g. {@code https://api.openai.com/v1})
 * @param apiKeyRef            where the key is: {@code arn:aws:secretsmanager:...}, {@code ssm:/param/name},
 *                             {@code env:VARIABLE} (local runs only), or empty for providers without keys
 * @param endpoints            the batch endpoints the provider accepts
 * @param maxRequestsPerBatch  requests one provider batch may hold
 * @param maxBytesPerBatch     bytes one provider batch file may hold
 * @param maxLineBytes         bytes one request line may hold
 * @param maxFileRequests      requests one uploaded file may hold across all its parts
 * @param maxFileBytes         bytes one uploaded file may hold across all its parts
 * @param splitAllowed         whether a file over the per-batch limits is split into several batches
 * @param oneModelPerFile      whether every line must name the same model
 * @param completionWindow     the {@code completion_window} sent when creating a batch ({@link CompletionWindow})
 * @param maxConcurrentBatches batches of one job in flight at once
 * @param initialPollSeconds   first wait before polling a batch
 * @param pollBackoff          factor the wait grows by after each poll
 * @param maxPollSeconds       cap of the wait between polls
 * @param filePurpose          the {@code purpose} of uploaded batch files
 * @param statusAliases        provider status values mapped to the OpenAI set (keys compared case-insensitively)
 * @param maxResubmissions     times a part is submitted again after the provider refused its batch for
 *                             capacity; past them the part ends with the refusal ({@code batch_failed})
 * @param callTimeoutSeconds   longest wait for the answer to one API call (0: {@value #DEFAULT_CALL_TIMEOUT_SECONDS});
 *                             uploads and downloads are bounded by their own deadlines
 * @param deleteProviderFiles  delete a part's input, output and error files at the provider once
 *                             they are copied whole (absent: yes)
 * @param spending             prices and the per-job spending guard (absent: none)
 */
public record ProviderProfile(
        String name,
        String baseUrl,
        String apiKeyRef,
        List<Endpoint> endpoints,
        int maxRequestsPerBatch,
        long maxBytesPerBatch,
        int maxLineBytes,
        int maxFileRequests,
        long maxFileBytes,
        boolean splitAllowed,
        boolean oneModelPerFile,
        String completionWindow,
        int maxConcurrentBatches,
        int initialPollSeconds,
        double pollBackoff,
        int maxPollSeconds,
        String filePurpose,
        Map<String, String> statusAliases,
        int maxResubmissions,
        int callTimeoutSeconds,
        Boolean deleteProviderFiles,
        Spending spending) {

    /**
     * Time a part may take beyond its batch's deadline: submitting with the state machine's retries
     * (about three hours at most), capacity waits, and finalizing.
     */
    static final Duration PART_OVERHEAD = Duration.ofDays(1);

    /** Answer time allowed to one API call when a profile names none. */
    public static final int DEFAULT_CALL_TIMEOUT_SECONDS = 60;

    /** Resubmissions after capacity refusals when a profile names none: about ten waits of the longest poll. */
    public static final int DEFAULT_MAX_RESUBMISSIONS = 10;

    /** A profile with {@link #DEFAULT_MAX_RESUBMISSIONS} and {@link #DEFAULT_CALL_TIMEOUT_SECONDS}. */
    public ProviderProfile(String name, String baseUrl, String apiKeyRef, List<Endpoint> endpoints,
            int maxRequestsPerBatch, long maxBytesPerBatch, int maxLineBytes, int maxFileRequests, long maxFileBytes,
            boolean splitAllowed, boolean oneModelPerFile, String completionWindow, int maxConcurrentBatches,
            int initialPollSeconds, double pollBackoff, int maxPollSeconds, String filePurpose,
            Map<String, String> statusAliases) {
        this(name, baseUrl, apiKeyRef, endpoints, maxRequestsPerBatch, maxBytesPerBatch, maxLineBytes,
                maxFileRequests, maxFileBytes, splitAllowed, oneModelPerFile, completionWindow, maxConcurrentBatches,
                initialPollSeconds, pollBackoff, maxPollSeconds, filePurpose, statusAliases, DEFAULT_MAX_RESUBMISSIONS,
                DEFAULT_CALL_TIMEOUT_SECONDS, true, Spending.NONE);
    }

    @JsonCreator
    public ProviderProfile {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
            throw new IllegalArgumentException(
                    "profile name must be 1-40 lowercase letters, digits or '-', got \"" + name + "\"");
        }
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("profile " + name + ": endpoints must not be empty");
        }
        statusAliases = statusAliases == null ? Map.of() : Map.copyOf(statusAliases);
        apiKeyRef = apiKeyRef == null ? "" : apiKeyRef;
        requirePositive(name, "maxRequestsPerBatch", maxRequestsPerBatch);
        requirePositive(name, "maxBytesPerBatch", maxBytesPerBatch);
        requirePositive(name, "maxLineBytes", maxLineBytes);
        requirePositive(name, "maxFileRequests", maxFileRequests);
        requirePositive(name, "maxFileBytes", maxFileBytes);
        callTimeoutSeconds = callTimeoutSeconds == 0 ? DEFAULT_CALL_TIMEOUT_SECONDS : callTimeoutSeconds;
        deleteProviderFiles = deleteProviderFiles == null || deleteProviderFiles;
        spending = spending == null ? Spending.NONE : spending;
        requirePositive(name, "callTimeoutSeconds", callTimeoutSeconds);
        if (maxResubmissions < 0) {
            throw new IllegalArgumentException("profile " + name + ": maxResubmissions must not be negative, got "
                    + maxResubmissions);
        }
        if (maxLineBytes > maxBytesPerBatch) {
            throw new IllegalArgumentException("profile " + name + ": maxLineBytes (" + maxLineBytes
                    + ") must not exceed maxBytesPerBatch (" + maxBytesPerBatch + ")");
        }
        try {
            CompletionWindow.parse(completionWindow);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("profile " + name + ": " + e.getMessage(), e);
        }
        if (baseUrl != null && !baseUrl.isBlank()) {
            URI.create(baseUrl);
        }
    }

    private static void requirePositive(String profile, String field, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(
                    "profile " + profile + ": " + field + " must be positive, got " + value);
        }
    }

    /** Requests the whole file may hold: beyond one batch only when the profile splits files. */
    @JsonIgnore
    public int fileRequestLimit() {
        return splitAllowed ? maxFileRequests : Math.min(maxFileRequests, maxRequestsPerBatch);
    }

    /** Bytes the whole file may hold: beyond one batch only when the profile splits files. */
    @JsonIgnore
    public long fileByteLimit() {
        return splitAllowed ? maxFileBytes : Math.min(maxFileBytes, maxBytesPerBatch);
    }

    @JsonIgnore
    public Set<String> endpointPaths() {
        return endpoints.stream().map(Endpoint::path).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * The longest a job of this profile can run, so that what it staged can be kept that long: its
     * largest file in parts (each part but the last is full in requests, or within a line of full in
     * bytes), run in waves of {@code maxConcurrentBatches}, each part bounded by its deadline (1.75
     * completion windows after its first submission) and {@link #PART_OVERHEAD}.
     */
    @JsonIgnore
    public Duration longestJob() {
        long parts = !splitAllowed ? 1 : ceilDiv(maxFileRequests, maxRequestsPerBatch)
                + ceilDiv(maxFileBytes, Math.max(1, maxBytesPerBatch - maxLineBytes)) + 1;
        long waves = ceilDiv(parts, maxConcurrentBatches);
        Duration part = CompletionWindow.parse(completionWindow).multipliedBy(7).dividedBy(4)
                .plusSeconds(maxPollSeconds).plus(PART_OVERHEAD);
        return part.multipliedBy(waves);
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}
