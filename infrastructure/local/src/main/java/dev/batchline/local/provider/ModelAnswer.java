package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;

/** What a synchronous endpoint answered one request: its HTTP status and JSON body. */
record ModelAnswer(int statusCode, JsonNode body) {

    boolean succeeded() {
        return statusCode / 100 == 2;
    }
}
