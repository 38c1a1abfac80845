package io.imagefarm.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How every service reaches registries (prefix {@code imagefarm.registry}, the same keys in the hasher,
 * the workers and the janitor). Read once by {@link RegistryBeans}.
 */
@ConfigMapping(prefix = "imagefarm.registry")
public interface RegistryConfig {

    String PREFIX = "imagefarm.registry";

    /** Credentials per registry host: {@code imagefarm.registry.credentials."ghcr.io".username=ci-bot}. */
    Map<String, Credentials> credentials();

    /** Registries reached over plain http besides loopback ones (which always are). */
    Optional<List<String>> plainHttp();

    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT5S")
    Duration connectTimeout();

    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT30S")
    Duration readTimeout();

    /** Attempts per call for 429, 5xx and I/O failures (1: no retry). */
    @WithConverter(Checked.Positive.class)
    @WithDefault("4")
    int maxAttempts();

    /** Doubled per attempt up to {@code max-backoff}; a {@code Retry-After} within it wins. */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT0.2S")
    Duration initialBackoff();

    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT5S")
    Duration maxBackoff();

    /** {@code n} of OCI tag list pages. */
    @WithConverter(Checked.PageSize.class)
    @WithDefault("100")
    int tagsPageSize();

    interface Credentials {
        /** Unset or blank: this registry is used anonymously (a deployment template may leave it blank). */
        Optional<String> username();

        /** The password or token itself (from an env var or a secret store). */
        Optional<String> password();

        /** A file holding the password or token (a mounted secret); wins over {@code password}. */
        Optional<Path> passwordFile();
    }
}
