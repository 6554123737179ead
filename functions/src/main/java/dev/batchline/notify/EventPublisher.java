package dev.batchline.notify;

/** Sends events to downstream consumers. */
public interface EventPublisher {

    void publish(CloudEvent event);
}
