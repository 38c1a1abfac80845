package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs bin/imagefarm over the packaged jar, as CI would. */
class ImagefarmLauncherIT {

    static final Path LAUNCHER = Path.of("..", "bin", "imagefarm").toAbsolutePath().normalize();

    @TempDir
    Path repo;

    @Test
    void launcherPrintsTheSeedOutputsForARepositoryCheckout() throws Exception {
        Files.writeString(repo.resolve("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.83.0\"\n");
        Files.writeString(repo.resolve("package.json"), "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n");
        Files.writeString(repo.resolve(".python-version"), "3.12.7\n");
        Files.writeString(repo.resolve("pyproject.toml"), "[tool.uv]\nrequired-version = \">=0.5.11\"\n");
        Files.createDirectories(repo.resolve(".devcontainer"));
        Files.writeString(repo.resolve(".devcontainer/Dockerfile"), "FROM quay.io/pypa/manylinux_2_28_x86_64\nRUN echo hi\n");

        Process p = new ProcessBuilder(LAUNCHER.toString(), "hash", "--repo-dir", repo.toString(), "--repository", "acme/widget")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();

        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines.subList(0, 3)).containsExactly(
                "container-image-base=ghcr.io/acme/widget:builder-5ea78654994769b1",
                "container-image-cache-base=ghcr.io/acme/widget:buildcache",
                "version-hash=5ea78654994769b1");
    }

    @Test
    void launcherExitsNonZeroWithOneStderrLineOnBadInput() throws Exception {
        Process p = new ProcessBuilder(LAUNCHER.toString(), "hash", "--repo-dir", repo.toString(), "--repository", "acme/widget").start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).isNotZero();
        assertThat(stderr).isEqualTo("imagefarm hash: rust-toolchain.toml: file is missing\n");
        assertThat(p.getInputStream().readAllBytes()).isEmpty();
    }

    @Test
    void launcherAnswersHelpAndVersionFromThePackagedJar() throws Exception {
        Process help = new ProcessBuilder(LAUNCHER.toString(), "--help").start();
        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(help.exitValue()).as(usage).isZero();
        assertThat(usage).startsWith("Usage: imagefarm ").contains("hash", "resolve", "completion", "Exit codes:");

        Process version = new ProcessBuilder(LAUNCHER.toString(), "hash", "--version").start();
        assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(version.exitValue()).isZero();
        assertThat(new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .as("the jar carries the filtered version.properties").matches("imagefarm \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
    }

    @Test
    void launcherExitsTwoOnAnUnknownCommand() throws Exception {
        Process p = new ProcessBuilder(LAUNCHER.toString(), "--frobnicate").start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("imagefarm: unknown option '--frobnicate'").hasLineCount(1);
    }
}
