package io.imagefarm.core.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The parsed hash inputs are bounded ({@link ParseLimits}): a hostile file is refused with an
 * {@link InvalidRepositoryFilesException} naming it, never a StackOverflowError or a
 * NullPointerException, and every file within the bounds hashes as before.
 */
class ParseLimitsTest {

    static final int DEEP = 10_000;
    static final int LIMIT = ParseLimits.MAX_NESTING_DEPTH;

    static VersionInputs inputsWith(String path, String content) {
        return VersionHasherTest.inputsWith(path, content);
    }

    static VersionHash hashWith(String path, String content) {
        Map<String, byte[]> files = VersionHasherTest.defaults();
        files.put(path, VersionHasherTest.utf8(content));
        return VersionHasher.hash(RepositoryFiles.ofBytes(files));
    }

    static String nestedArrays(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    static String nestedInlineTables(int depth) {
        return "{a = ".repeat(depth) + "1" + " }".repeat(depth);
    }

    @Nested
    class Toml {
        @Test
        void arraysNested10000DeepAreRefusedNamingTheFileAndTheBracketPastTheLimit() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "a = " + nestedArrays(DEEP) + "\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("rust-toolchain.toml: TOML nested deeper than 64 levels of arrays and inline tables at line 1, column 69");
        }

        @Test
        void inlineTablesNested10000DeepAreRefusedNamingTheFile() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = \"x\"\nb = " + nestedInlineTables(DEEP) + "\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("rust-toolchain.toml: TOML nested deeper than 64 levels")
                    .hasMessageEndingWith("at line 3, column " + (5 + 5 * LIMIT));
        }

        @Test
        void arraysAndInlineTablesNestedInPyprojectAreRefusedNamingIt() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PYPROJECT, "[tool.uv]\nx = " + "[{a = ".repeat(DEEP) + "\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("pyproject.toml: TOML nested deeper than 64 levels");
        }

        @Test
        void unclosedArrays10000DeepAreRefusedForTheirDepth() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "a = " + "[".repeat(DEEP)))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("rust-toolchain.toml: TOML nested deeper than 64 levels");
        }

        @Test
        void closedBracesThatErrorRecoveryWouldSkipCannotNestTheParser() {
            // every brace is closed, but tomlj's recovery drops each '}' (a key without '=') and nests once per "{1} ="
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "a = " + "{1} = ".repeat(DEEP) + "1\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("rust-toolchain.toml: invalid TOML at line 1, column 7: Unexpected '}', expected . or =");
        }

        @Test
        void nestingExactlyAtTheLimitStillHashesAsWithoutIt() {
            String toolchain = "[toolchain]\nchannel = \"1.83.0\"\narrays = " + nestedArrays(LIMIT)
                    + "\ntables = " + nestedInlineTables(LIMIT) + "\nmixed = " + "[{a = ".repeat(LIMIT / 2) + "1" + "}]".repeat(LIMIT / 2) + "\n";
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, toolchain).rustChannel()).isEqualTo("1.83.0");
            assertThat(hashWith(HashInputs.RUST_TOOLCHAIN, toolchain)).isEqualTo(hashWith(HashInputs.RUST_TOOLCHAIN, VersionHasherTest.TOOLCHAIN));
        }

        @Test
        void oneLevelPastTheLimitIsRefused() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = \"1.83.0\"\nx = " + nestedArrays(LIMIT + 1) + "\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("rust-toolchain.toml: TOML nested deeper than 64 levels of arrays and inline tables at line 3, column 69");
        }

        @Test
        void bracketsInStringsCommentsAndTableHeadersDoNotCount() {
            String toolchain = "# " + "[".repeat(DEEP) + "\n"
                    + "a = \"" + "[{".repeat(DEEP) + "\"\n"
                    + "b = '" + "{".repeat(DEEP) + "'\n"
                    + "c = \"\"\"\n" + "[\n".repeat(DEEP) + "\"\"\"\n"
                    + "d = '''" + "{[".repeat(DEEP) + "'''\n"
                    + "[\"[[[[\".'{{{{']\n"
                    + "[toolchain]\nchannel = \"1.83.0\"\n";
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, toolchain).rustChannel()).isEqualTo("1.83.0");
        }

        @Test
        void syntaxErrorsStillNameTheLineAndTomljsMessage() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = \"x\"\nfoo = = 1\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("rust-toolchain.toml: invalid TOML at line 3, column 7: Unexpected '='");
        }

        @Test
        void anInvalidEscapeThatTomljThrowsIsARefusalToo() {
            assertThatThrownBy(() -> inputsWith(HashInputs.RUST_TOOLCHAIN, "[toolchain]\nchannel = \"\\[\"\n"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("rust-toolchain.toml: invalid TOML at line 2, column 12: Invalid escape sequence '\\['");
        }

        @Test
        void aFileOverTheSizeLimitIsRefusedBeforeParsing() {
            String big = VersionHasherTest.TOOLCHAIN + "#".repeat(ParseLimits.MAX_FILE_BYTES);
            assertThatThrownBy(() -> inputsWith(HashInputs.PYPROJECT, big))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("pyproject.toml: is " + big.length() + " bytes; the limit is 1048576");
        }

        @Test
        void aFileOfExactlyTheSizeLimitIsParsed() {
            String head = "[toolchain]\nchannel = \"1.83.0\"\n#";
            String exact = head + "x".repeat(ParseLimits.MAX_FILE_BYTES - head.length());
            assertThat(inputsWith(HashInputs.RUST_TOOLCHAIN, exact).rustChannel()).isEqualTo("1.83.0");
        }
    }

    @Nested
    class Json {
        @Test
        void arraysNested10000DeepAreRefusedNamingTheFileAndPosition() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, nestedArrays(DEEP)))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("package.json: JSON nested deeper than 64 levels of arrays and objects at line 1, column 65");
        }

        @Test
        void objectsNested10000DeepAreRefusedNamingTheFileAndPosition() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, "{\n\"engines\": " + "{\"a\":".repeat(DEEP) + "1" + "}".repeat(DEEP) + "}"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("package.json: JSON nested deeper than 64 levels of arrays and objects at line 2, column " + (12 + 5 * (LIMIT - 1)));
        }

        @Test
        void nestingExactlyAtTheLimitStillHashesAsWithoutIt() {
            String pkg = "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"},\"deep\":" + nestedArrays(LIMIT - 1) + "}";
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, pkg).nodeVersion()).isEqualTo("22.11.0");
            assertThat(hashWith(HashInputs.PACKAGE_JSON, pkg)).isEqualTo(hashWith(HashInputs.PACKAGE_JSON, VersionHasherTest.PACKAGE));
        }

        @Test
        void aValueNestedAtTheLimitPrintsAsJqWould() {
            String node = nestedArrays(LIMIT - 2);
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":" + node + "}}").nodeVersion())
                    .startsWith("[\n  [\n    [\n").endsWith("\n  ]\n]");
        }

        @Test
        void oneLevelPastTheLimitIsRefused() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, "{\"deep\":" + nestedArrays(LIMIT) + "}"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("package.json: JSON nested deeper than 64 levels of arrays and objects at line 1, column " + (8 + LIMIT));
        }

        @Test
        void otherJacksonLimitsWithoutALocationStillNameTheFileAndPosition() {
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, "{\"engines\":{\"node\":" + "1".repeat(1001) + "}}"))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessageStartingWith("package.json: invalid JSON at line 1, column 20: Number value length (1001) exceeds");
        }

        @Test
        void aFileOverTheSizeLimitIsRefusedBeforeParsing() {
            String big = " ".repeat(ParseLimits.MAX_FILE_BYTES) + VersionHasherTest.PACKAGE;
            assertThatThrownBy(() -> inputsWith(HashInputs.PACKAGE_JSON, big))
                    .isInstanceOf(InvalidRepositoryFilesException.class)
                    .hasMessage("package.json: is " + big.length() + " bytes; the limit is 1048576");
        }

        @Test
        void aFileOfExactlyTheSizeLimitIsParsed() {
            String pkg = VersionHasherTest.PACKAGE;
            String exact = " ".repeat(ParseLimits.MAX_FILE_BYTES - pkg.length()) + pkg;
            assertThat(inputsWith(HashInputs.PACKAGE_JSON, exact).nodeVersion()).isEqualTo("22.11.0");
        }
    }

    @Test
    void aMissingLocationIsLeftOutOfTheMessageRatherThanFailing() {
        assertThat(ParseLimits.located("invalid JSON", 0, 0)).isEqualTo("invalid JSON");
        assertThat(ParseLimits.located("invalid JSON", 3, 7)).isEqualTo("invalid JSON at line 3, column 7");
    }
}
