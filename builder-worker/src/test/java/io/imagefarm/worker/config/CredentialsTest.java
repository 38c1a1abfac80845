package io.imagefarm.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.registry.RegistryCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    @TempDir
    Path dir;

    private static WorkerConfig.RegistryAuth auth(String user, String password, Path file) {
        return new WorkerConfig.RegistryAuth() {
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

        Map<String, RegistryCredentials> resolved = Credentials.resolve(Map.of("ghcr.io", auth("ci", "from-env", file)));

        assertThat(resolved.get("ghcr.io").password()).isEqualTo("from-file");
    }

    @Test
    void anInlinePasswordIsUsedWithoutAFile() {
        assertThat(Credentials.resolve(Map.of("ghcr.io", auth("ci", "from-env", null))).get("ghcr.io").password())
                .isEqualTo("from-env");
    }

    @Test
    void aBlankUsernameMeansAnonymous() {
        assertThat(Credentials.resolve(Map.of("ghcr.io", auth("", null, null)))).isEmpty();
    }

    @Test
    void aUsernameWithoutAnyPasswordIsRefused() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> Credentials.resolve(Map.of("ghcr.io", auth("ci", null, empty))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ghcr.io");
    }
}
