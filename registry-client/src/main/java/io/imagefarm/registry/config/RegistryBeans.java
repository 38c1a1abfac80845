package io.imagefarm.registry.config;

import io.imagefarm.core.secret.Secrets;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.RegistryClientSettings;
import io.imagefarm.registry.RegistryCredentials;
import io.quarkus.runtime.Startup;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
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

    /**
     * Plain Java, so tests and tools build the same settings without a container. Each key's range was checked
     * when the mapping was built ({@link Checked}).
     */
    public static RegistryClientSettings settings(RegistryConfig config) {
        return new RegistryClientSettings(Set.copyOf(config.plainHttp().orElse(List.of())), Map.copyOf(credentials(config.credentials())),
                config.connectTimeout(), config.readTimeout(), config.maxAttempts(), config.initialBackoff(),
                config.maxBackoff(), config.tagsPageSize());
    }

    /**
     * The settings these {@code imagefarm.registry.*} properties give, every other key at its {@code @WithDefault}
     * (the one place defaults live): for tests and tools without a container.
     */
    public static RegistryClientSettings settings(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "given", 500))
                .withMapping(RegistryConfig.class)
                .build();
        return settings(config.getConfigMapping(RegistryConfig.class));
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
}
