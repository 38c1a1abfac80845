package io.imagefarm.registry;

import io.imagefarm.core.registry.RegistryHosts;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a {@link RegistryClient} talks to registries. Services fill it from their {@code @ConfigMapping}; tests and tools
 * from properties, the other keys at their defaults ({@link io.imagefarm.registry.config.RegistryBeans#settings(Map)}).
 *
 * @param plainHttpRegistries registries reached over http (loopback registries always are)
 * @param credentials         per registry host
 * @param maxAttempts         per call, for 429/5xx/I-O failures
 * @param initialBackoff      doubled per attempt, up to {@code maxBackoff}
 * @param tagsPageSize        {@code n} for tag listing
 */
public record RegistryClientSettings(Set<String> plainHttpRegistries, Map<String, RegistryCredentials> credentials,
                                     Duration connectTimeout, Duration readTimeout, int maxAttempts,
                                     Duration initialBackoff, Duration maxBackoff, int tagsPageSize) {

    Optional<RegistryCredentials> credentialsFor(String registry) {
        return Optional.ofNullable(credentials.get(registry));
    }

    String scheme(String registry) {
        return RegistryHosts.scheme(registry, plainHttpRegistries);
    }
}
