package io.imagefarm.core.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the seed's own bash lines (real bash, jq, tr, sha256sum) next to the Java hasher. mikefarah's
 * yq is not packaged for Debian, so the two TOML lookups are fed to the seed's hashing line from
 * the Java side; every other step is the seed's, verbatim, under GitHub's {@code bash -eo pipefail}.
 */
class SeedBashDifferentialIT {

    static final String SEED_STEP = """
            set -eo pipefail
            NODE_VERSION=$(jq -r '.engines.node | ltrimstr("^")' package.json)
            PNPM_VERSION=$(jq -r '.engines.pnpm | ltrimstr("^")' package.json)
            PYTHON_VERSION=$(tr -d '\\n\\r' < .python-version)
            DOCKERFILE_HASH=$(sha256sum .devcontainer/Dockerfile | cut -c1-16)
            VERSION_STRING="${RUST_CHANNEL}|${NODE_VERSION}|${PNPM_VERSION}|${PYTHON_VERSION}|${UV_VERSION}|${DOCKERFILE_HASH}"
            VERSION_HASH=$(echo "${VERSION_STRING}" | sha256sum | cut -c1-16)
            printf '%s\\n' "$VERSION_STRING" "$VERSION_HASH"
            """;

    @TempDir
    Path repo;

    @BeforeAll
    static void requireTools() throws Exception {
        for (String tool : new String[] {"jq", "sha256sum", "tr"}) {
            Process p = new ProcessBuilder("bash", "-c", "command -v " + tool).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("missing test part: '" + tool + "' for the seed's bash step. "
                        + "Install it with scripts/setup-build-host.sh (./test.sh runs it)");
            }
        }
    }

    // package.json, .python-version, Dockerfile: cases on which jq 1.6 (Debian) and jq 1.7 agree.
    static Object[][] fixtures() {
        return new Object[][] {
                {"{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n", "3.12.7\n", "FROM x\nRUN true\n"},
                {"{\"engines\":{\"node\":\"^^20\",\"pnpm\":\"9\"}}", "3.11", "FROM x\r\nRUN true\r\n"},
                {"{\"name\":\"no-engines\"}", " 3.10 \r\n\n", "FROM x\n# größe ✓\n"},
                {"{\"engines\":{\"node\":20,\"pnpm\":null}}", "3.12\r", "FROM x"},
                {"{\"engines\":{\"node\":[\"^20\",{\"a\":true}],\"pnpm\":{}}}", "3.13\n", ""},
                {"{\r\n \"engines\": {\"node\": \">=18 <23\", \"pnpm\": \"^10.0.0\\n\"}\r\n}", "pypy3.10\n", "FROM x\n\n\n"},
                {"{\"engines\":{\"node\":\"lts/* ü\",\"pnpm\":\"\\t9\"}}", "3.12\n", "FROM x\nRUN echo \"$HOME\"\n"},
                {"", "3.12\n", "FROM x\n"},
        };
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void javaHasherAgreesWithTheSeedsBashStep(String packageJson, String pythonVersion, String dockerfile) throws Exception {
        Files.writeString(repo.resolve("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.83.0\"\n");
        Files.writeString(repo.resolve("pyproject.toml"), "[tool.uv]\nrequired-version = \">=0.5.11\"\n");
        Files.writeString(repo.resolve("package.json"), packageJson);
        Files.writeString(repo.resolve(".python-version"), pythonVersion);
        Files.createDirectories(repo.resolve(".devcontainer"));
        Files.writeString(repo.resolve(".devcontainer/Dockerfile"), dockerfile);

        VersionInputs java = VersionHasher.inputs(RepositoryFiles.fromDirectory(repo));

        ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", SEED_STEP).directory(repo.toFile());
        pb.environment().putAll(Map.of("RUST_CHANNEL", java.rustChannel(), "UV_VERSION", java.uvVersion(), "LC_ALL", "C.UTF-8"));
        Process bash = pb.start();
        String stdout = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(bash.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(stderr).isZero();

        int split = stdout.lastIndexOf('\n', stdout.length() - 2);
        String bashVersionString = stdout.substring(0, split);
        String bashHash = stdout.substring(split + 1).trim();
        assertThat(java.versionString()).isEqualTo(bashVersionString);
        assertThat(VersionHasher.hash(java).value()).isEqualTo(bashHash);
    }
}
