package io.imagefarm.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @TempDir
    Path dir;

    @Test
    void theFileWinsOverTheInlineValueAndItsTrailingNewlineIsTrimmed() throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "from-file\n");

        assertThat(Secrets.read("k", Optional.of("inline"), Optional.of(file))).contains("from-file");
    }

    @Test
    void theInlineValueIsUsedWhenNoFileIsGivenAndBlankMeansUnset() {
        assertThat(Secrets.read("k", Optional.of(" inline "), Optional.empty())).contains("inline");
        assertThat(Secrets.read("k", Optional.of("  "), Optional.empty())).isEmpty();
        assertThat(Secrets.read("k", Optional.empty(), Optional.empty())).isEmpty();
    }

    @Test
    void anEmptyFileIsUnsetAndRequireNamesTheKeyAndTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("empty"), "\n");

        assertThat(Secrets.read("k", Optional.of("inline"), Optional.of(file))).isEmpty();
        assertThatThrownBy(() -> Secrets.require("imagefarm.x.token", Optional.empty(), Optional.of(file)))
                .hasMessageContaining("imagefarm.x.token-file").hasMessageContaining(file.toString());
    }

    @Test
    void aMissingFileIsAnErrorNamingTheKeyNotASilentFallbackToInline() {
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> Secrets.read("imagefarm.x.token", Optional.of("inline"), Optional.of(missing)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("imagefarm.x.token").hasMessageContaining(missing.toString());
    }

    @Test
    void aWorldReadableFileIsStillRead() throws Exception {
        Path file = Files.writeString(dir.resolve("open"), "value");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(Secrets.read("k", Optional.empty(), Optional.of(file))).contains("value");
    }
}
