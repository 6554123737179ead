package dev.batchline.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A file stored at the provider. */
public record ProviderFile(String id, long bytes, String filename, String purpose, ObjectNode raw) {
}
