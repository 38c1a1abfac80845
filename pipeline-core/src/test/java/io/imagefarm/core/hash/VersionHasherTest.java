package io.imagefarm.core.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Pins the seed's bash semantics one rule at a time. Expected digests were computed with the seed's
 * own pipeline ({@code echo "$VERSION_STRING" | sha256sum | cut -c1-16}) in a shell.
 */
class VersionHasherTest {

    static final String TOOLCHAIN = "[toolchain]\nchannel = \"1.83.0\"\n";
    static final String PACKAGE = "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n";
    static final String PYTHON = "3.12.7\n";
    static final String PYPROJECT = "[tool.uv]\nrequired-version = \">=0.5.11\"\n";
    static final String DOCKERFILE = "FROM quay.io/pypa/manylinux_2_28_x86_64\nRUN echo hi\n";

    static Map<String, byte[]> defaults() {
        Map<String, byte[]> m = new HashMap<>();
        m.put(HashInputs.RUST_TOOLCHAIN, utf8(TOOLCHAIN));
        m.put(HashInputs.PACKAGE_JSON, utf8(PACKAGE));
        m.put(HashInputs.PYTHON_VERSION, utf8(PYTHON));
        m.put(HashInputs.PYPROJECT, utf8(PYPROJECT));
        m.put(HashInputs.DOCKERFILE, utf8(DOCKERFILE));
        return m;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static VersionInputs inputsWith(String path, String content) {
        Map<String, byte[]> m = defaults();
        m.put(path, utf8(content));
        return VersionHasher.inputs(RepositoryFiles.ofBytes(m));
    }

    static VersionInputs inputsWithout(String path) {
        Map<String, byte[]> m = defaults();
        m.remove(path);
        return VersionHasher.inputs(RepositoryFiles.ofBytes(m));
    }

    @Test
    void typicalRepositoryHashesExactlyAsTheSeedBashStep() {
        VersionInputs inputs = VersionHasher.inputs(RepositoryFiles.ofBytes(defaults()));
        // sha256sum of DOCKERFILE, first 16 hex
        assertThat(inputs.dockerfileHash()).isEqualTo("41c0d7d436b3c724");
        assertThat(inputs.versionString()).isEqualTo("1.83.0|22.11.0|9.15.0|3.12.7|0.5.11|41c0d7d436b3c724");
        assertThat(VersionHasher.hash(inputs).value()).isEqualTo("5ea78654994769b1");
    }

    @Test
    void versionHashIsSha256OfTheVersionStringPlusEchoNewline() {
        VersionInputs inputs = new VersionInputs("stable", "20", "9", "3.12", "0.5", "0123456789abcdef");
        // printf 'stable|20|9|3.12|0.5|0123456789abcdef\n' | sha256sum | cut -c1-16
        assertThat(VersionHasher.hash(inputs).value()).isEqualTo("89b52edd29a0e287");
    }

    @Nested
    class RustToolchain {
        @Test
        void channelFromStandardTable() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = \"stable\"\n").rustChannel()).isEqualTo("stable");
        }

        @Test
        void channelFromInlineTable() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "toolchain = { channel = \"1.80.1\", components = [\"clippy\"] }\n").rustChannel())
                    .isEqualTo("1.80.1");
        }

        @Test
        void channelFromDottedKey() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "toolchain.channel = \"nightly-2024-11-01\"\n").rustChannel())
                    .isEqualTo("nightly-2024-11-01");
        }

        @Test
        void channelFromLiteralStringKeepsBackslashes() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = 'C:\\stable'\n").rustChannel())
                    .isEqualTo("C:\\stable");
        }

        @Test
        void commentsAreIgnored() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "# pinned\n[toolchain] # the table\nchannel = \"1.75\" # why\n").rustChannel())
                    .isEqualTo("1.75");
        }

        @Test
        void crlfLineEndingsParse() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\r\nchannel = \"1.75\"\r\n").rustChannel()).isEqualTo("1.75");
        }

        @Test
        void missingChannelPrintsNull() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\ncomponents = [\"rustfmt\"]\n").rustChannel()).isEqualTo("null");
        }

        @Test
        void missingToolchainTablePrintsNull() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "").rustChannel()).isEqualTo("null");
        }

        @Test
        void integerChannelPrintsAsNumber() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = 1\n").rustChannel()).isEqualTo("1");
        }

        @Test
        void trailingNewlinesInsideTheValueAreDroppedLikeCommandSubstitution() {
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = \"stable\\n\\n\"\n").rustChannel()).isEqualTo("stable");
        }

        @Test
        void invalidTomlFailsNamingFileAndPosition() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain\nchannel = \"x\"\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("rust-toolchain.toml: invalid TOML at line 1");
        }

        @Test
        void missingFileFailsNamingIt() {
            assertThatThrownBy(() -> inputsWithout(HashInputs.RUST_TOOLCHAIN))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("rust-toolchain.toml: file is missing");
        }

        @Test
        void tableChannelIsRefusedNotGuessed() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain.channel]\nx = 1\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageContaining("toolchain.channel");
        }
    }

    @Nested
    class PackageJson {
        @Test
        void oneLeadingCaretIsRemoved() {
            VersionInputs in = inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":\"^20.1.0\",\"pnpm\":\"9.1.0\"}}");
            assertThat(in.nodeVersion()).isEqualTo("20.1.0");
            assertThat(in.pnpmVersion()).isEqualTo("9.1.0");
        }

        @Test
        void onlyOneOfADoubleCaretIsRemoved() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":\"^^20\"}}").nodeVersion()).isEqualTo("^20");
        }

        @Test
        void otherRangeOperatorsAreKept() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":\">=20 <23\"}}").nodeVersion()).isEqualTo(">=20 <23");
        }

        @Test
        void missingKeyPrintsNull() {
            VersionInputs in = inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":\"20\"}}");
            assertThat(in.pnpmVersion()).isEqualTo("null");
        }

        @Test
        void missingEnginesPrintsNull() {
            VersionInputs in = inputsWith(HashInputs.PACKAGE_JSON, "{\"name\":\"x\"}");
            assertThat(in.nodeVersion()).isEqualTo("null");
            assertThat(in.pnpmVersion()).isEqualTo("null");
        }

        @Test
        void explicitNullPrintsNull() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":null}}").nodeVersion()).isEqualTo("null");
        }

        @Test
        void integerPrintsAsJqPrintsIt() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":20}}").nodeVersion()).isEqualTo("20");
        }

        @Test
        void decimalKeepsItsLiteralDigitsAsJq17Does() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":20.10}}").nodeVersion()).isEqualTo("20.10");
        }

        @Test
        void booleanPrintsAsJson() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":true}}").nodeVersion()).isEqualTo("true");
        }

        @Test
        void arrayPrintsAsIndentedJson() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":[\"^20\",{\"a\":1}]}}").nodeVersion())
                    .isEqualTo("[\n  \"^20\",\n  {\n    \"a\": 1\n  }\n]");
        }

        @Test
        void nonAsciiStringsPrintRaw() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":\"^20 — lts ✓\"}}").nodeVersion()).isEqualTo("20 — lts ✓");
        }

        @Test
        void crlfJsonParses() {
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\r\n  \"engines\": {\r\n    \"node\": \"^18\"\r\n  }\r\n}\r\n").nodeVersion()).isEqualTo("18");
        }

        @Test
        void invalidJsonFailsNamingFileAndPosition() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\": {\"node\": \"20\",}}"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("package.json: invalid JSON at line 1");
        }

        @Test
        void enginesThatIsNotAnObjectFailsAsJqDoes() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\": \"node 20\"}"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageContaining("cannot look up 'node' in .engines");
        }

        @Test
        void missingFileFailsNamingIt() {
            assertThatThrownBy(() -> inputsWithout(HashInputs.PACKAGE_JSON))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("package.json: file is missing");
        }
    }

    @Nested
    class PythonVersion {
        @Test
        void trailingNewlineRemoved() {
            assertThat(inputsWith(HashInputs.PYTHON_VERSION, "3.12.7\n").pythonVersion()).isEqualTo("3.12.7");
        }

        @Test
        void noTrailingNewlineIsFine() {
            assertThat(inputsWith(HashInputs.PYTHON_VERSION, "3.12.7").pythonVersion()).isEqualTo("3.12.7");
        }

        @Test
        void crlfRemoved() {
            assertThat(inputsWith(HashInputs.PYTHON_VERSION, "3.11\r\n").pythonVersion()).isEqualTo("3.11");
        }

        @Test
        void everyLineBreakRemovedAndOtherWhitespaceKept() {
            assertThat(inputsWith(HashInputs.PYTHON_VERSION, " 3.11 \n\t3.12\r\n").pythonVersion()).isEqualTo(" 3.11 \t3.12");
        }

        @Test
        void missingFileFailsNamingIt() {
            assertThatThrownBy(() -> inputsWithout(HashInputs.PYTHON_VERSION))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage(".python-version: file is missing");
        }
    }

    @Nested
    class Pyproject {
        @Test
        void everythingButDigitsAndDotsRemoved() {
            assertThat(inputsWith(HashInputs.PYPROJECT, "[tool.uv]\nrequired-version = \">=0.5.11, <0.6\"\n").uvVersion()).isEqualTo("0.5.110.6");
        }

        @Test
        void dottedKeyForm() {
            assertThat(inputsWith(HashInputs.PYPROJECT, "tool.uv.required-version = \"==0.4.30\"\n").uvVersion()).isEqualTo("0.4.30");
        }

        @Test
        void quotedKeyForm() {
            assertThat(inputsWith(HashInputs.PYPROJECT, "[tool.uv]\n\"required-version\" = \"~=0.5\"\n").uvVersion()).isEqualTo("0.5");
        }

        @Test
        void missingKeyBecomesEmptyNotNull() {
            assertThat(inputsWith(HashInputs.PYPROJECT, "[project]\nname = \"x\"\n").uvVersion()).isEmpty();
        }

        @Test
        void invalidTomlFailsNamingFile() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PYPROJECT, "[tool.uv\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("pyproject.toml: invalid TOML");
        }

        @Test
        void missingFileFailsNamingIt() {
            assertThatThrownBy(() -> inputsWithout(HashInputs.PYPROJECT))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("pyproject.toml: file is missing");
        }
    }

    @Nested
    class Dockerfile {
        @Test
        void hashIsOverRawBytesIncludingCrlf() {
            // printf 'FROM x\r\n' | sha256sum | cut -c1-16
            assertThat(inputsWith(HashInputs.DOCKERFILE, "FROM x\r\n").dockerfileHash()).isEqualTo("07901d801ce0f722");
        }

        @Test
        void nonAsciiDockerfileHashesItsUtf8Bytes() {
            // printf 'FROM x\n# größe ✓\n' | sha256sum | cut -c1-16
            assertThat(inputsWith(HashInputs.DOCKERFILE, "FROM x\n# größe ✓\n").dockerfileHash()).isEqualTo("cdf6bc0a76788550");
        }

        @Test
        void nonUtf8DockerfileStillHashesItsBytes() {
            Map<String, byte[]> m = defaults();
            m.put(HashInputs.DOCKERFILE, new byte[] {'F', 'R', 'O', 'M', ' ', (byte) 0xff, '\n'});
            // printf 'FROM \xff\n' | sha256sum | cut -c1-16
            assertThat(VersionHasher.inputs(RepositoryFiles.ofBytes(m)).dockerfileHash()).isEqualTo("40bbec0cbccc81a0");
        }

        @Test
        void missingFileFailsNamingIt() {
            assertThatThrownBy(() -> inputsWithout(HashInputs.DOCKERFILE))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage(".devcontainer/Dockerfile: file is missing");
        }
    }
}
