package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;

/** Answers the requests of a batch, one at a time. */
interface BatchModel {

    ModelAnswer answer(String endpoint, JsonNode body);
}
