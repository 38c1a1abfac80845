package io.imagefarm.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.registry.RegistryClientSettings;
import io.imagefarm.registry.RegistryCredentials;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryBeansTest {

    @TempDir
    Path dir;

    private static RegistryConfig.Credentials auth(String user, String password, Path file) {
        return new RegistryConfig.Credentials() {
            @Override
            public Optional<String> username() {
                return Optional.ofNullable(user);
            }

            @Override
            public Optional<String> password() {
                return Optional.ofNullable(password);
            }

            @Override
            public Optional<Path> passwordFile() {
                return Optional.ofNullable(file);
            }
        };
    }

    @Test
    void thePasswordFileWinsOverTheInlinePassword() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "from-file\n");

        Map<String, RegistryCredentials> resolved = RegistryBeans.credentials(Map.of("ghcr.io", auth("ci", "from-env", file)));

        assertThat(resolved.get("ghcr.io").password()).isEqualTo("from-file");
    }

    @Test
    void anInlinePasswordIsUsedWithoutAFile() {
        assertThat(RegistryBeans.credentials(Map.of("ghcr.io", auth("ci", "from-env", null))).get("ghcr.io").password())
                .isEqualTo("from-env");
    }

    @Test
    void aBlankUsernameMeansAnonymous() {
        assertThat(RegistryBeans.credentials(Map.of("ghcr.io", auth("", null, null)))).isEmpty();
    }

    @Test
    void aUsernameWithoutAnyPasswordIsRefusedNamingTheKey() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> RegistryBeans.credentials(Map.of("ghcr.io", auth("ci", null, empty))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("imagefarm.registry.credentials.\"ghcr.io\".password");
    }

    @Test
    void aDottedHostIsSetFromEnvironmentVariablesWithDoubleUnderscoresForTheQuotes() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "IMAGEFARM_REGISTRY_CREDENTIALS__GHCR_IO__USERNAME", "ci-bot",
                        "IMAGEFARM_REGISTRY_CREDENTIALS__GHCR_IO__PASSWORD", "from-env",
                        "IMAGEFARM_REGISTRY_MAX_ATTEMPTS", "2"), 300))
                .withMapping(RegistryConfig.class)
                .build();

        RegistryClientSettings settings = RegistryBeans.settings(config.getConfigMapping(RegistryConfig.class));

        assertThat(settings.credentials()).containsOnlyKeys("ghcr.io");
        assertThat(settings.credentials().get("ghcr.io").username()).isEqualTo("ci-bot");
        assertThat(settings.maxAttempts()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({
            "imagefarm.registry.connect-timeout, PT0S",
            "imagefarm.registry.read-timeout, -PT1S",
            "imagefarm.registry.max-attempts, 0",
            "imagefarm.registry.initial-backoff, soon",
            "imagefarm.registry.max-backoff, 0s",
            "imagefarm.registry.tags-page-size, 0",
            "imagefarm.registry.tags-page-size, 10001",
    })
    void anInvalidSettingIsRefusedNamingItsKey(String key, String value) {
        assertThatThrownBy(() -> RegistryBeans.settings(Map.of(key, value)))
                .hasMessageContaining(key)
                .hasMessageContaining(value);
    }

    @Test
    void unsetKeysTakeTheirWithDefault() {
        RegistryClientSettings settings = RegistryBeans.settings(Map.of("imagefarm.registry.max-attempts", "2"));

        assertThat(settings.maxAttempts()).isEqualTo(2);
        assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.tagsPageSize()).isEqualTo(100);
        assertThat(settings.credentials()).isEmpty();
    }
}
