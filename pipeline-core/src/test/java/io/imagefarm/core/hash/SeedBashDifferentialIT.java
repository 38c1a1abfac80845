package io.imagefarm.core.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the seed's hash step in real bash (tomlq, jq, tr, sed, sha256sum, cut) next to the Java hasher, on
 * the same five files, and compares the six values and the hash. No value computed by Java enters the bash.
 *
 * <p>The seed's lines are copied verbatim and run as GitHub runs a {@code shell: bash} step
 * ({@code bash --noprofile --norc -eo pipefail}). They call mikefarah's yq ({@code yq -p toml -oy}), which
 * Debian does not package. The one stand-in is a bash function {@code yq} that accepts exactly the seed's
 * {@code -p toml -oy EXPR FILE} and runs {@code tomlq -r EXPR FILE}: Debian's yq package (3.1, the jq
 * wrapper over python3-toml), installed by scripts/setup-build-host.sh. Where tomlq and the Java hasher
 * answer differently, {@link #tomlqAndTheJavaHasherPartWays} pins both answers.
 */
class SeedBashDifferentialIT {

    /** The seed's "Compute container image version hash" lines, verbatim, up to the hash. */
    static final String SEED_STEP = """
            RUST_CHANNEL=$(yq -p toml -oy '.toolchain.channel' rust-toolchain.toml)
            NODE_VERSION=$(jq -r '.engines.node | ltrimstr("^")' package.json)
            PNPM_VERSION=$(jq -r '.engines.pnpm | ltrimstr("^")' package.json)
            PYTHON_VERSION=$(tr -d '\\n\\r' < .python-version)
            UV_VERSION=$(yq -p toml -oy '.tool.uv."required-version"' pyproject.toml | sed 's/[^0-9.]*//g')
            DOCKERFILE_HASH=$(sha256sum .devcontainer/Dockerfile | cut -c1-16)

            VERSION_STRING="${RUST_CHANNEL}|${NODE_VERSION}|${PNPM_VERSION}|${PYTHON_VERSION}|${UV_VERSION}|${DOCKERFILE_HASH}"
            VERSION_HASH=$(echo "${VERSION_STRING}" | sha256sum | cut -c1-16)
            """;

    /** Debian's tomlq in place of mikefarah's yq, for the seed's call shape only. */
    static final String YQ_STAND_IN = """
            yq() {
              if [[ $# != 5 || $1 != -p || $2 != toml || $3 != -oy ]]; then
                echo "yq stand-in: the seed calls only 'yq -p toml -oy EXPR FILE', not: yq $*" >&2
                return 2
              fi
              tomlq -r "$4" "$5"
            }
            """;

    /** The variables, NUL-separated: no bash variable can hold a NUL, so the split is exact. */
    static final String REPORT = """
            printf '%s\\0' "$RUST_CHANNEL" "$NODE_VERSION" "$PNPM_VERSION" "$PYTHON_VERSION" "$UV_VERSION" \\
              "$DOCKERFILE_HASH" "$VERSION_STRING" "$VERSION_HASH"
            """;

    static final List<String> REPORTED = List.of("RUST_CHANNEL", "NODE_VERSION", "PNPM_VERSION", "PYTHON_VERSION",
            "UV_VERSION", "DOCKERFILE_HASH", "VERSION_STRING", "VERSION_HASH");

    static final String TOOLCHAIN = "[toolchain]\nchannel = \"1.83.0\"\n";
    static final String PYPROJECT = "[tool.uv]\nrequired-version = \">=0.5.11\"\n";
    static final String PACKAGE_JSON = "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n";
    static final String PYTHON_VERSION = "3.12.7\n";
    static final String DOCKERFILE = "FROM x\nRUN true\n";

    /** The five files; a null content leaves that file out. */
    record Repo(String rustToolchain, String pyproject, String packageJson, String pythonVersion, String dockerfile) {

        static Repo toml(String rustToolchain, String pyproject) {
            return new Repo(rustToolchain, pyproject, PACKAGE_JSON, PYTHON_VERSION, DOCKERFILE);
        }

        void writeTo(Path dir) throws IOException {
            write(dir, HashInputs.RUST_TOOLCHAIN, rustToolchain);
            write(dir, HashInputs.PYPROJECT, pyproject);
            write(dir, HashInputs.PACKAGE_JSON, packageJson);
            write(dir, HashInputs.PYTHON_VERSION, pythonVersion);
            write(dir, HashInputs.DOCKERFILE, dockerfile);
        }

        private static void write(Path dir, String path, String content) throws IOException {
            if (content != null) {
                Path file = dir.resolve(path);
                Files.createDirectories(file.getParent());
                Files.writeString(file, content);
            }
        }
    }

    record BashRun(int exitCode, Map<String, String> variables, String stderr) {

        String firstErrorLine() {
            return stderr.lines().findFirst().orElse("");
        }
    }

    @TempDir
    Path repo;

    @BeforeAll
    static void requireTools() throws Exception {
        Map<String, String> parts = Map.of(
                "tomlq", "Debian package yq: the seed's TOML lookups",
                "jq", "Debian package jq: the seed's package.json lookups",
                "sed", "the seed's UV_VERSION filter",
                "tr", "the seed's .python-version read",
                "sha256sum", "the seed's hashes",
                "cut", "the seed's hashes");
        for (Map.Entry<String, String> part : parts.entrySet()) {
            Process p = new ProcessBuilder("bash", "-c", "command -v " + part.getKey()).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("missing test part: '" + part.getKey() + "' (" + part.getValue()
                        + "). Install it with scripts/setup-build-host.sh (./test.sh runs it)");
            }
        }
    }

    /**
     * Each fixture varies both TOML files: quoting, table layout, comments, whitespace, line endings, extra
     * keys and tables, missing keys, non-string scalars. The first eight also vary the other three files, in
     * ways on which jq 1.6 (Debian's) and jq 1.7 agree.
     */
    static Stream<Arguments> agreeing() {
        return Stream.of(
                arguments("typical repository", new Repo(
                        "[toolchain]\nchannel = \"1.83.0\"\ncomponents = [\"rustfmt\", \"clippy\"]\n",
                        "[project]\nname = \"app\"\nrequires-python = \">=3.12\"\ndependencies = [\"httpx>=0.27\"]\n\n"
                                + "[tool.uv]\nrequired-version = \">=0.5.11\"\n",
                        PACKAGE_JSON, PYTHON_VERSION, DOCKERFILE)),
                arguments("literal strings, CRLF Dockerfile", new Repo(
                        "[toolchain]\nchannel = 'nightly-2024-11-28'\nprofile = 'minimal'\n",
                        "[tool.uv]\nrequired-version = '==0.4.30'\n",
                        "{\"engines\":{\"node\":\"^^20\",\"pnpm\":\"9\"}}", "3.11", "FROM x\r\nRUN true\r\n")),
                arguments("inline tables, no engines", new Repo(
                        "toolchain = { channel = \"stable\", targets = [\"wasm32-unknown-unknown\"] }\n",
                        "tool = { uv = { required-version = \"~=0.5\" } }\n",
                        "{\"name\":\"no-engines\"}", " 3.10 \r\n\n", "FROM x\n# größe ✓\n")),
                arguments("dotted keys, engines not strings", new Repo(
                        "toolchain.channel = \"1.80\"\n",
                        "tool.uv.required-version = \">=0.5.0,<0.6\"\n",
                        "{\"engines\":{\"node\":20,\"pnpm\":null}}", "3.12\r", "FROM x")),
                arguments("CRLF, comments, extra keys and tables", new Repo(
                        "# pinned for the CI image\r\n[toolchain] # the one table\r\n"
                                + "  channel   =   \"1.79.0\"  # MSRV\r\n"
                                + "components = [ \"rust-src\" ]\r\ntargets = [\"aarch64-unknown-linux-gnu\"]\r\n",
                        "[tool.uv]\r\nrequired-version = \">=0.5.4\"  # pin\r\npackage = true\r\n"
                                + "[tool.uv.sources]\r\nlib = { path = \"../lib\" }\r\n"
                                + "[tool.ruff]\r\nline-length = 100\r\n",
                        "{\"engines\":{\"node\":[\"^20\",{\"a\":true}],\"pnpm\":{}}}", "3.13\n", "")),
                arguments("both optional keys missing", new Repo(
                        "[toolchain]\nprofile = \"minimal\"\n",
                        "[project]\nname = \"app\"\n\n[tool.uv]\ndev-dependencies = [\"pytest\"]\n",
                        "{\r\n \"engines\": {\"node\": \">=18 <23\", \"pnpm\": \"^10.0.0\\n\"}\r\n}", "pypy3.10\n",
                        "FROM x\n\n\n")),
                arguments("escapes and non-ASCII in values", new Repo(
                        "[toolchain]\nchannel = \"1.83.0-\\u00e9\\tbeta \\U0001F600\"\n",
                        "[tool.uv]\nrequired-version = \"≥0.5.11 ✓\"\n",
                        "{\"engines\":{\"node\":\"lts/* ü\",\"pnpm\":\"\\t9\"}}", "3.12\n",
                        "FROM x\nRUN echo \"$HOME\"\n")),
                arguments("empty TOML files, empty package.json", new Repo(
                        "", "", "", "3.12\n", "FROM x\n")),
                arguments("quoted keys, spaced headers", Repo.toml(
                        "[ \"toolchain\" ]\n\"channel\" = \"beta\"\n",
                        "[ tool . \"uv\" ]\n\"required-version\" = \"0.5.3\"\n")),
                arguments("tables before and after, arrays of tables", Repo.toml(
                        "[package]\nname = \"x\"\n\n[toolchain]\nchannel = \"beta\"\n\n[toolchain.extra]\nx = 1\n",
                        "[tool.ruff.lint]\nselect = [\"E\", \"F\"]\n\n[tool.uv]\nrequired-version = \">=0.5.20\"\n\n"
                                + "[[tool.uv.index]]\nname = \"cpu\"\nurl = \"https://example.org/whl/cpu\"\n\n"
                                + "[[tool.uv.index]]\nname = \"other\"\nurl = \"https://example.com\"\n")),
                arguments("dotted keys inside tables", Repo.toml(
                        "[toolchain]\nx.y = 1\nchannel = \"stable\"\n",
                        "[tool]\nuv.required-version = \"0.5.8\"\nruff.line-length = 88\n")),
                arguments("multi-line strings: a line break survives sed", Repo.toml(
                        "[toolchain]\nchannel = \"\"\"\n1.83.0\"\"\"\n",
                        "[tool.uv]\nrequired-version = \"\"\"\n>=0.5\n<0.6\n\"\"\"\n")),
                arguments("multi-line literal, line continuation", Repo.toml(
                        "[toolchain]\nchannel = '''\nnightly\n'''\n",
                        "[tool.uv]\nrequired-version = \"\"\">=0.5.\\\n   11\"\"\"\n")),
                arguments("multi-line strings with CRLF", Repo.toml(
                        "[toolchain]\r\nchannel = \"\"\"\r\nx\r\ny\"\"\"\r\n",
                        "[tool.uv]\r\nrequired-version = '''>=0.6.0\r\n<0.7'''\r\n")),
                arguments("tabs, blank lines, spaces inside values", Repo.toml(
                        "\n\n  [toolchain]\t\n\n\tchannel\t=\t\" stable \"\t# tab\n\n",
                        "[tool.uv]\nrequired-version   =   \"  >= 0.6.0  \"\n")),
                arguments("integer and float", Repo.toml(
                        "[toolchain]\nchannel = 1\n",
                        "[tool.uv]\nrequired-version = 0.5\n")),
                arguments("boolean, hex and underscored integers", Repo.toml(
                        "[toolchain]\nchannel = true\n",
                        "[tool.uv]\nrequired-version = 0x1_F\n")),
                arguments("floats Go and jq print alike", Repo.toml(
                        "[toolchain]\nchannel = 1e-5\n",
                        "[tool.uv]\nrequired-version = 1e21\n")),
                arguments("more floats", Repo.toml(
                        "[toolchain]\nchannel = -1.5\n",
                        "[tool.uv]\nrequired-version = 1.0\n")),
                arguments("false and empty string", Repo.toml(
                        "[toolchain]\nchannel = \"\"\n",
                        "[tool.uv]\nrequired-version = false\n")),
                arguments("trailing newlines, carriage return, NUL", Repo.toml(
                        "[toolchain]\nchannel = \"1.83\\u0000.0\\n\\n\"\n",
                        "[tool.uv]\nrequired-version = \"0.5\\r.1\\n\"\n")),
                arguments("'|' and '#' inside values", Repo.toml(
                        "[toolchain]\nchannel = \"a|b # not a comment\"\n",
                        "[tool.uv]\nrequired-version = \">=0.5 # |0.6\"\n")),
                arguments("the key in a table of the wrong name", Repo.toml(
                        "[toolchain]\n[other]\nchannel = \"x\"\n",
                        "[project]\nname = \"x\"\n[uv]\nrequired-version = \"0.5.0\"\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agreeing")
    void javaHasherAgreesWithTheSeedsBashStep(String name, Repo files) throws Exception {
        files.writeTo(repo);

        BashRun bash = runSeedStep();
        assertThat(bash.exitCode()).as("the seed's step failed: %s", bash.stderr()).isZero();

        VersionInputs java = VersionHasher.inputs(RepositoryFiles.fromDirectory(repo));
        Map<String, String> bashInputs = new LinkedHashMap<>(bash.variables());
        bashInputs.keySet().retainAll(java.asMap().keySet());
        assertThat(java.asMap()).as("the six values, Java vs the seed's bash").isEqualTo(bashInputs);
        assertThat(java.versionString()).isEqualTo(bash.variables().get("VERSION_STRING"));
        assertThat(VersionHasher.hash(java).value()).isEqualTo(bash.variables().get("VERSION_HASH"));
    }

    /** Files the seed's step fails on; the Java hasher refuses them, naming the file. */
    static Stream<Arguments> refusedByBoth() {
        return Stream.of(
                arguments("rust-toolchain.toml missing", Repo.toml(null, PYPROJECT),
                        HashInputs.RUST_TOOLCHAIN, "No such file or directory"),
                arguments("pyproject.toml missing", Repo.toml(TOOLCHAIN, null),
                        HashInputs.PYPROJECT, "No such file or directory"),
                arguments("duplicate key", Repo.toml("[toolchain]\nchannel = \"a\"\nchannel = \"b\"\n", PYPROJECT),
                        HashInputs.RUST_TOOLCHAIN, "TomlDecodeError"),
                arguments("table defined twice", Repo.toml(TOOLCHAIN, PYPROJECT + "[tool.uv]\npackage = true\n"),
                        HashInputs.PYPROJECT, "TomlDecodeError"),
                arguments("byte order mark", Repo.toml("\uFEFF" + TOOLCHAIN, PYPROJECT),
                        HashInputs.RUST_TOOLCHAIN, "TomlDecodeError"),
                arguments("inline table with a trailing comma",
                        Repo.toml("toolchain = { channel = \"stable\", }\n", PYPROJECT),
                        HashInputs.RUST_TOOLCHAIN, "TomlDecodeError"),
                arguments("inline table over two lines (python3-toml crashes on it)",
                        Repo.toml(TOOLCHAIN, "tool = { uv = {\n required-version = \"0.5\" } }\n"),
                        HashInputs.PYPROJECT, "IndexError: string index out of range"),
                arguments("value missing", Repo.toml("[toolchain]\nchannel =\n", PYPROJECT),
                        HashInputs.RUST_TOOLCHAIN, "TomlDecodeError"),
                arguments("unterminated string", Repo.toml(TOOLCHAIN, "[tool.uv]\nrequired-version = \">=0.5\n"),
                        HashInputs.PYPROJECT, "TomlDecodeError"),
                arguments("a date as the channel", Repo.toml("[toolchain]\nchannel = 2024-11-28\n", PYPROJECT),
                        HashInputs.RUST_TOOLCHAIN, "not JSON serializable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedByBoth")
    void filesTheSeedsStepFailsOnAreRefusedByJavaToo(String name, Repo files, String file, String bashError)
            throws Exception {
        files.writeTo(repo);

        BashRun bash = runSeedStep();
        assertThat(bash.exitCode()).as("the seed's step should fail").isNotZero();
        assertThat(bash.stderr()).contains(bashError);
        assertThatThrownBy(() -> VersionHasher.inputs(RepositoryFiles.fromDirectory(repo)))
                .isInstanceOfSatisfying(InvalidRepositoryFilesException.class,
                        e -> assertThat(e.file()).isEqualTo(file));
    }

    /**
     * Inputs on which Debian's tomlq and the Java hasher answer differently. The Java hasher models the seed's
     * mikefarah yq as {@link TomlText} describes it, which this test cannot run; tomlq goes through Python's
     * TOML 0.5 parser (python3-toml 0.10) and jq 1.6's doubles. Both answers are pinned, as
     * RUST_CHANNEL|UV_VERSION or how the side refused, so a change on either side shows here.
     */
    static Stream<Arguments> divergences() {
        return Stream.of(
                arguments("mixed-type array elsewhere (TOML 1.0; TOML 0.5 refused it)",
                        Repo.toml(TOOLCHAIN, PYPROJECT + "[tool.example]\nmarkers = [\"slow\", 1]\n"),
                        "1.83.0|0.5.11",
                        "fails: tomlq: Error running jq: TomlDecodeError: Not a homogeneous array"
                                + " (line 4 column 1 char 55)."),
                arguments("toolchain is a string", Repo.toml("toolchain = \"stable\"\n", PYPROJECT),
                        "null|0.5.11",
                        "fails: jq: error (at <stdin>:1): Cannot index string with string \"channel\""),
                arguments("toolchain is an array of tables",
                        Repo.toml("[[toolchain]]\nchannel = \"stable\"\n", PYPROJECT),
                        "null|0.5.11",
                        "fails: jq: error (at <stdin>:1): Cannot index array with string \"channel\""),
                arguments("tool.uv is a string", Repo.toml(TOOLCHAIN, "[tool]\nuv = \"0.5.0\"\n"),
                        "1.83.0|",
                        "fails: jq: error (at <stdin>:1): Cannot index string with string \"required-version\""),
                arguments("integer above 2^53", Repo.toml("[toolchain]\nchannel = 9007199254740993\n", PYPROJECT),
                        "9007199254740993|0.5.11", "9007199254740992|0.5.11"),
                arguments("infinity", Repo.toml("[toolchain]\nchannel = inf\n", PYPROJECT),
                        "+Inf|0.5.11", "1.7976931348623157e+308|0.5.11"),
                arguments("not a number", Repo.toml("[toolchain]\nchannel = nan\n", PYPROJECT),
                        "NaN|0.5.11", "null|0.5.11"),
                arguments("negative zero", Repo.toml("[toolchain]\nchannel = -0.0\n", PYPROJECT),
                        "-0|0.5.11", "0|0.5.11"),
                arguments("an array as the channel", Repo.toml("[toolchain]\nchannel = [\"a\", \"b\"]\n", PYPROJECT),
                        "refused: rust-toolchain.toml", "[\n  \"a\",\n  \"b\"\n]|0.5.11"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("divergences")
    void tomlqAndTheJavaHasherPartWays(String name, Repo files, String javaGives, String bashGives) throws Exception {
        files.writeTo(repo);

        BashRun bash = runSeedStep();
        String bashAnswer = bash.exitCode() != 0 ? "fails: " + bash.firstErrorLine()
                : bash.variables().get("RUST_CHANNEL") + "|" + bash.variables().get("UV_VERSION");
        String javaAnswer;
        try {
            VersionInputs java = VersionHasher.inputs(RepositoryFiles.fromDirectory(repo));
            javaAnswer = java.rustChannel() + "|" + java.uvVersion();
        } catch (InvalidRepositoryFilesException e) {
            javaAnswer = "refused: " + e.file();
        }
        assertThat(javaAnswer).as("Java").isEqualTo(javaGives);
        assertThat(bashAnswer).as("the seed's bash with tomlq").isEqualTo(bashGives);
    }

    private BashRun runSeedStep() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                YQ_STAND_IN + SEED_STEP + REPORT).directory(repo.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process bash = pb.start();
        bash.getOutputStream().close();
        byte[] stdout = bash.getInputStream().readAllBytes();
        String stderr = new String(bash.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).as("the seed's step finished").isTrue();

        Map<String, String> variables = new LinkedHashMap<>();
        if (bash.exitValue() == 0) {
            String[] values = new String(stdout, StandardCharsets.UTF_8).split("\0", -1);
            assertThat(values).as("NUL-separated report").hasSize(REPORTED.size() + 1);
            for (int i = 0; i < REPORTED.size(); i++) {
                variables.put(REPORTED.get(i), values[i]);
            }
        }
        return new BashRun(bash.exitValue(), variables, stderr);
    }
}
