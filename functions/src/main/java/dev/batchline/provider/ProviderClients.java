package dev.batchline.provider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One client per provider profile, built on first use and kept for the container's life. */
public final class ProviderClients {

    private final ProviderProfiles profiles;
    private final Function<ProviderProfile, BatchProvider> factory;
    private final Map<String, BatchProvider> clients = new ConcurrentHashMap<>();

    public ProviderClients(ProviderProfiles profiles, Function<ProviderProfile, BatchProvider> factory) {
        this.profiles = profiles;
        this.factory = factory;
    }

    public ProviderProfile profile(String name) {
        return profiles.require(name);
    }

    public BatchProvider forProfile(String name) {
        return clients.computeIfAbsent(name, n -> factory.apply(profiles.require(n)));
    }
}
