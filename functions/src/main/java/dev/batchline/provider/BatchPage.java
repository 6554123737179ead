package dev.batchline.provider;

import java.util.List;

/** One page of the provider's batch list, newest first; {@code lastId} is the cursor of the next page. */
public record BatchPage(List<ProviderBatch> batches, boolean hasMore, String lastId) {
}
