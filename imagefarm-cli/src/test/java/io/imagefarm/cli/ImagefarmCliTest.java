package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagefarmCliTest {

    @TempDir
    Path repo;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeSeedInputs() throws Exception {
        Files.writeString(repo.resolve("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.83.0\"\n");
        Files.writeString(repo.resolve("package.json"), "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n");
        Files.writeString(repo.resolve(".python-version"), "3.12.7\n");
        Files.writeString(repo.resolve("pyproject.toml"), "[tool.uv]\nrequired-version = \">=0.5.11\"\n");
        Files.createDirectories(repo.resolve(".devcontainer"));
        Files.writeString(repo.resolve(".devcontainer/Dockerfile"), "FROM quay.io/pypa/manylinux_2_28_x86_64\nRUN echo hi\n");
    }

    int run(String... args) {
        return ImagefarmCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheSeedsThreeLinesFirstThenPerArchRefs() {
        int code = run("hash", "--repo-dir", repo.toString(), "--repository", "Acme/Widget");

        assertThat(code).isZero();
        assertThat(stdout()).isEqualTo("""
                container-image-base=ghcr.io/acme/widget:builder-5ea78654994769b1
                container-image-cache-base=ghcr.io/acme/widget:buildcache
                version-hash=5ea78654994769b1
                container-image-amd64=ghcr.io/acme/widget:builder-5ea78654994769b1-amd64
                container-image-cache-amd64=ghcr.io/acme/widget:buildcache-amd64
                container-image-arm64=ghcr.io/acme/widget:builder-5ea78654994769b1-arm64
                container-image-cache-arm64=ghcr.io/acme/widget:buildcache-arm64
                """);
        assertThat(stderr()).isEmpty();
    }

    @Test
    void registryAndArchesAreConfigurable() {
        int code = run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--registry", "127.0.0.1:5000", "--arch", "arm64");

        assertThat(code).isZero();
        assertThat(stdout()).startsWith("container-image-base=127.0.0.1:5000/acme/widget:builder-5ea78654994769b1\n")
                .contains("container-image-arm64=127.0.0.1:5000/acme/widget:builder-5ea78654994769b1-arm64\n")
                .doesNotContain("amd64");
    }

    @Test
    void missingFileExitsNonZeroWithOneLineNamingIt() throws Exception {
        Files.delete(repo.resolve(".python-version"));

        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget")).isEqualTo(1);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).isEqualTo("imagefarm hash: .python-version: file is missing\n");
    }

    @Test
    void malformedJsonExitsNonZeroNamingFileAndPosition() throws Exception {
        Files.writeString(repo.resolve("package.json"), "{\"engines\": {\n \"node\": }\n}");

        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget")).isEqualTo(1);
        assertThat(stdout()).as("no half-computed output").isEmpty();
        assertThat(stderr()).startsWith("imagefarm hash: package.json: invalid JSON at line 2").hasLineCount(1);
    }

    @Test
    void repositoryThatCannotNameAnImageIsRejected() {
        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/my..widget")).isEqualTo(2);
        assertThat(stderr()).contains("acme/my..widget").contains("OCI").hasLineCount(1);
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        assertThat(run("hash", "--repo-dir", repo.toString())).isEqualTo(2);
        assertThat(stderr()).contains("missing --repository");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("build")).isEqualTo(2);
        assertThat(stderr()).contains("unknown command 'build'");
    }
}
