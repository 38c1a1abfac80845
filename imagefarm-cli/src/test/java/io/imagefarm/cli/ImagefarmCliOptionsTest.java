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

/** The option forms the hand-written parser accepted still give the same stdout. */
class ImagefarmCliOptionsTest {

    static final String BOTH_ARCHES = """
            container-image-base=ghcr.io/acme/widget:builder-5ea78654994769b1
            container-image-cache-base=ghcr.io/acme/widget:buildcache
            version-hash=5ea78654994769b1
            container-image-amd64=ghcr.io/acme/widget:builder-5ea78654994769b1-amd64
            container-image-cache-amd64=ghcr.io/acme/widget:buildcache-amd64
            container-image-arm64=ghcr.io/acme/widget:builder-5ea78654994769b1-arm64
            container-image-cache-arm64=ghcr.io/acme/widget:buildcache-arm64
            """;

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

    @Test
    void repeatedArchOptionsAndCommaListsGiveTheSameOutputAsTheDefault() {
        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget", "--arch", "amd64", "--arch", "arm64")).isZero();
        String repeated = stdout();
        out.reset();
        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget", "--arch", "amd64,arm64")).isZero();
        String commaList = stdout();

        assertThat(repeated).isEqualTo(BOTH_ARCHES);
        assertThat(commaList).isEqualTo(BOTH_ARCHES);
    }

    @Test
    void archesArePrintedInTheGivenOrderOnceEach() {
        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--arch", "linux/arm64,amd64", "--arch", "ARM64")).isZero();

        assertThat(stdout().lines().skip(3).toList()).containsExactly(
                "container-image-arm64=ghcr.io/acme/widget:builder-5ea78654994769b1-arm64",
                "container-image-cache-arm64=ghcr.io/acme/widget:buildcache-arm64",
                "container-image-amd64=ghcr.io/acme/widget:builder-5ea78654994769b1-amd64",
                "container-image-cache-amd64=ghcr.io/acme/widget:buildcache-amd64");
    }

    @Test
    void optionsMayComeInAnyOrderAndARepeatedOneTakesItsLastValue() {
        assertThat(run("hash", "--repository", "other/thing", "--registry", "127.0.0.1:5000", "--repo-dir", repo.toString(),
                "--repository", "acme/widget", "--registry", "ghcr.io")).isZero();

        assertThat(stdout()).isEqualTo(BOTH_ARCHES);
    }

    @Test
    void optionEqualsValueFormIsAlsoAccepted() {
        assertThat(run("hash", "--repo-dir=" + repo, "--repository=acme/widget")).isZero();

        assertThat(stdout()).isEqualTo(BOTH_ARCHES);
    }
}
