package io.imagefarm.registry.config;

import io.imagefarm.core.secret.Secrets;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.RegistryClientSettings;
import io.imagefarm.registry.RegistryCredentials;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one registry client of a process, for every service that has this module: it keeps one REST
 * client per registry host and is closed on shutdown. Settings (and secret files) are read and checked
 * at start-up, each error naming its key.
 */
@ApplicationScoped
public class RegistryBeans {

    /** Built at start-up: a bad setting stops the service there, not its first registry call. */
    @Produces
    @Singleton
    @Startup
    RegistryClientSettings registrySettings(RegistryConfig config) {
        return settings(config);
    }

    @Produces
    @Singleton
    @Startup
    RegistryClient registryClient(RegistryClientSettings settings) {
        return new RegistryClient(settings);
    }

    void closeRegistryClient(@Disposes RegistryClient client) {
        client.close();
    }

    /** Plain Java, so tests and tools build the same settings without a container. */
    public static RegistryClientSettings settings(RegistryConfig config) {
        positive("connect-timeout", config.connectTimeout());
        positive("read-timeout", config.readTimeout());
        positive("initial-backoff", config.initialBackoff());
        positive("max-backoff", config.maxBackoff());
        if (config.maxAttempts() < 1) {
            throw new IllegalArgumentException(RegistryConfig.PREFIX + ".max-attempts must be at least 1, not " + config.maxAttempts());
        }
        if (config.tagsPageSize() < 1 || config.tagsPageSize() > 10_000) {
            throw new IllegalArgumentException(RegistryConfig.PREFIX + ".tags-page-size must be within 1..10000, not " + config.tagsPageSize());
        }
        return new RegistryClientSettings(Set.copyOf(config.plainHttp().orElse(List.of())), Map.copyOf(credentials(config.credentials())),
                config.connectTimeout(), config.readTimeout(), config.maxAttempts(), config.initialBackoff(),
                config.maxBackoff(), config.tagsPageSize());
    }

    /** Hosts with a username; a username without a password is a start-up error naming the key. */
    static Map<String, RegistryCredentials> credentials(Map<String, RegistryConfig.Credentials> configured) {
        Map<String, RegistryCredentials> result = new LinkedHashMap<>();
        configured.forEach((host, c) -> {
            if (c.username().isEmpty() || c.username().get().isBlank()) {
                return;
            }
            String key = RegistryConfig.PREFIX + ".credentials.\"" + host + "\".password";
            result.put(host, new RegistryCredentials(c.username().get().strip(),
                    Secrets.require(key, c.password(), c.passwordFile())));
        });
        return result;
    }

    private static void positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(RegistryConfig.PREFIX + "." + key + " must be positive, not " + d);
        }
    }
}
