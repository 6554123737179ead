package dev.batchline.ingest;

import dev.batchline.provider.ProviderProfile;

/**
 * How request lines fill parts: greedily in file order, a line starting a new part when the current
 * one has no room left for it (the profile's requests or bytes per provider batch). The same lines
 * always give the same parts, whoever counts them.
 */
final class PartFill {

    private final int maxRequests;
    private final long maxBytes;
    private int parts;
    private int requests;
    private long bytes;

    PartFill(ProviderProfile profile) {
        this.maxRequests = profile.maxRequestsPerBatch();
        this.maxBytes = profile.maxBytesPerBatch();
    }

    /** Whether a line of {@code lineBytes} (its newline included) would start a part. */
    boolean startsPart(long lineBytes) {
        return requests == 0 || requests + 1 > maxRequests || bytes + lineBytes > maxBytes;
    }

    /** Adds a line of {@code lineBytes}, in a new part when it {@linkplain #startsPart starts one}. */
    void add(long lineBytes) {
        if (startsPart(lineBytes)) {
            parts++;
            requests = 0;
            bytes = 0;
        }
        requests++;
        bytes += lineBytes;
    }

    /** Parts begun so far. */
    int parts() {
        return parts;
    }

    /** Requests in the current part. */
    int requests() {
        return requests;
    }

    /** Bytes of the current part. */
    long bytes() {
        return bytes;
    }
}
