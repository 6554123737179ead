package dev.batchline.notify;

/** Sends events to downstream consumers. */
public interface EventPublisher {

    void publish(CloudEvent event);

    /** Sends many, in as few calls as the transport allows. */
    void publishAll(java.util.List<CloudEvent> events);
}
