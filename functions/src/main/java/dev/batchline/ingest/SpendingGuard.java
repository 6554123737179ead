package dev.batchline.ingest;

import dev.batchline.provider.Spending;
import java.util.Optional;

/** The profile's spending limits, checked on a valid file before any provider call. */
public final class SpendingGuard {

    private SpendingGuard() {
    }

    /**
     * Why the job is over the profile's limits, saying by how much, or empty when it is within them.
     *
     * @param estimate the file's estimate, when the profile has a cost limit (null otherwise)
     */
    public static Optional<String> overLimit(Spending spending, long requests, SpendEstimate estimate) {
        Long maxRequests = spending.maxRequestsPerJob();
        if (maxRequests != null && requests > maxRequests) {
            return Optional.of("the file has " + requests + " requests, over the profile's maxRequestsPerJob "
                    + maxRequests + " by " + (requests - maxRequests));
        }
        return estimate == null ? Optional.empty() : Optional.ofNullable(estimate.report().overLimit());
    }
}
