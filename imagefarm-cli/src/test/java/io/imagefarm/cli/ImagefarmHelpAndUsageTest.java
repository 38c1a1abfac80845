package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** --help, --version, completion and usage errors (exit 2, one stderr line) on every command. */
class ImagefarmHelpAndUsageTest {

    @TempDir
    Path repo;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return ImagefarmCli.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void topLevelHelpListsEveryCommandAndTheExitCodesOnStdout(String flag) {
        assertThat(run(flag)).isZero();

        assertThat(stdout()).startsWith("Usage: imagefarm ")
                .contains("hash", "resolve", "verify", "completion", "help")
                .contains("Exit codes:", "0   success", "1   a check failed", "2   usage error");
        assertThat(stderr()).isEmpty();
    }

    static Stream<Arguments> commandsAndWhatTheirHelpNames() {
        return Stream.of(
                Arguments.of("hash", new String[] {"--repo-dir=DIR", "--repository=OWNER/NAME", "--registry=HOST[:PORT]",
                    "--arch=ARCH", "default: ghcr.io", "amd64, arm64", "container-image-base"}),
                Arguments.of("resolve", new String[] {"--server=URL", "--repo-dir=DIR", "--repository=OWNER/NAME",
                    "--commit=SHA", "--wait", "--timeout=DURATION", "default: PT30M", "--token-file=FILE", "IMAGEFARM_TOKEN"}),
                Arguments.of("verify", new String[] {"IMAGE@DIGEST", "--key=FILE", "--repository=OWNER/NAME", "--commit=SHA",
                    "--version-hash=HASH", "--no-provenance", "--registry-password-file=FILE", "IMAGEFARM_REGISTRY_PASSWORD",
                    "failed-check=", "wrong-digest", "missing-provenance"}),
                Arguments.of("completion", new String[] {"source <(imagefarm completion)"}));
    }

    @ParameterizedTest
    @MethodSource("commandsAndWhatTheirHelpNames")
    void everyCommandHasHelpNamingItsOptionsAndExitCodes(String command, String[] expected) {
        assertThat(run(command, "--help")).isZero();

        assertThat(stdout()).startsWith("Usage: imagefarm " + command).contains(expected)
                .contains("Exit codes:", "0   success", "2   usage error");
        assertThat(stderr()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "resolve", "verify", "completion"})
    void helpCommandPrintsTheSameHelpAsTheHelpOption(String command) {
        assertThat(run(command, "--help")).isZero();
        String viaOption = stdout();
        out.reset();

        assertThat(run("help", command)).isZero();
        assertThat(stdout()).isEqualTo(viaOption);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hash", "resolve", "verify", "completion"})
    void versionOnEveryCommandPrintsTheProjectVersion(String command) {
        String[] args = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "--version"};

        assertThat(run(args)).isZero();
        assertThat(stdout()).matches("imagefarm \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void helpWinsOverMissingRequiredOptions() {
        assertThat(run("resolve", "--server", "http://127.0.0.1:1", "--help")).isZero();
        assertThat(stdout()).startsWith("Usage: imagefarm resolve");
    }

    @Test
    void noCommandIsAUsageErrorNamingTheCommands() {
        assertThat(run()).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).isEqualTo("imagefarm: missing command; one of: hash, resolve, verify, completion, help "
                + "(see 'imagefarm --help')\n");
    }

    @Test
    void unknownCommandExitsTwoWithOneLine() {
        assertThat(run("build")).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).isEqualTo("imagefarm: unknown command 'build' (see 'imagefarm --help')\n");
    }

    @Test
    void misspeltCommandGetsASuggestion() {
        assertThat(run("hsh")).isEqualTo(2);
        assertThat(stderr()).startsWith("imagefarm: unknown command 'hsh'; did you mean hash").hasLineCount(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "resolve", "verify", "completion"})
    void unknownOptionExitsTwoWithOneLineOnEveryCommand(String command) {
        assertThat(run(command, "--frobnicate")).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).startsWith("imagefarm " + command + ": unknown option '--frobnicate'")
                .endsWith("(see 'imagefarm " + command + " --help')\n").hasLineCount(1);
    }

    @Test
    void unknownTopLevelOptionExitsTwo() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(stderr()).startsWith("imagefarm: unknown option '--frobnicate'").hasLineCount(1);
    }

    @Test
    void missingRequiredOptionsAreNamedTogether() {
        assertThat(run("resolve", "--repo-dir", repo.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("imagefarm resolve: missing --server and --repository "
                + "(see 'imagefarm resolve --help')\n");
    }

    @Test
    void optionGivenLastWithoutItsValueIsAUsageError() {
        assertThat(run("hash", "--repository", "acme/widget", "--repo-dir")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("imagefarm hash: --repo-dir needs a value (see 'imagefarm hash --help')\n");
    }

    @Test
    void unknownArchitectureIsAUsageErrorNamingTheKnownOnes() {
        assertThat(run("hash", "--repo-dir", repo.toString(), "--repository", "acme/widget", "--arch", "mips")).isEqualTo(2);
        assertThat(stderr()).contains("unknown architecture 'mips'", "amd64, arm64").hasLineCount(1);
    }

    @Test
    void malformedTimeoutIsAUsageErrorBeforeAnyRequest() {
        assertThat(run("resolve", "--server", "http://127.0.0.1:1", "--repo-dir", repo.toString(),
                "--repository", "acme/widget", "--timeout", "30m")).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).contains("--timeout", "'30m' is not an ISO-8601 duration").hasLineCount(1);
    }

    @Test
    void positionalArgumentToACommandIsAUsageError() {
        assertThat(run("hash", "extra")).isEqualTo(2);
        assertThat(stderr()).startsWith("imagefarm hash: unexpected argument 'extra'").hasLineCount(1);
    }

    @Test
    void completionPrintsABashScriptCoveringEveryCommandAndOption() {
        assertThat(run("completion")).isZero();

        assertThat(stdout()).startsWith("#!/usr/bin/env bash")
                .contains("complete -F _complete_imagefarm", "hash", "resolve", "--repo-dir", "--token-file", "--wait")
                .contains("riscv64");
        assertThat(stderr()).isEmpty();
    }
}
