package io.imagefarm.core.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.tomlj.TomlParseResult;

/**
 * The seed's "Compute container image version hash" step, byte for byte. Every input is read in
 * full and validated before anything is hashed: a file the bash step would fail on fails here too,
 * with the file and the problem named.
 */
public final class VersionHasher {

    private VersionHasher() {
    }

    /** Reads the six values from the repository files. */
    public static VersionInputs inputs(RepositoryFiles files) {
        // yq -p toml -oy '.toolchain.channel' rust-toolchain.toml
        TomlParseResult toolchain = TomlText.parse(HashInputs.RUST_TOOLCHAIN, files.require(HashInputs.RUST_TOOLCHAIN));
        String rust = TomlText.path(HashInputs.RUST_TOOLCHAIN, toolchain, "toolchain", "channel");

        // jq -r '.engines.node | ltrimstr("^")' package.json (and pnpm)
        byte[] packageJson = files.require(HashInputs.PACKAGE_JSON);
        Utf8.decode(HashInputs.PACKAGE_JSON, packageJson);
        String node = JqText.pathWithoutLeadingCaret(HashInputs.PACKAGE_JSON, packageJson, "engines", "node");
        String pnpm = JqText.pathWithoutLeadingCaret(HashInputs.PACKAGE_JSON, packageJson, "engines", "pnpm");

        // tr -d '\n\r' < .python-version
        String python = Utf8.decode(HashInputs.PYTHON_VERSION, files.require(HashInputs.PYTHON_VERSION))
                .replace("\n", "").replace("\r", "").replace("\0", "");

        // yq -p toml -oy '.tool.uv."required-version"' pyproject.toml | sed 's/[^0-9.]*//g'
        TomlParseResult pyproject = TomlText.parse(HashInputs.PYPROJECT, files.require(HashInputs.PYPROJECT));
        String uvRaw = TomlText.path(HashInputs.PYPROJECT, pyproject, "tool", "uv", "required-version");
        String uv = BashText.commandSubstitution(keepDigitsDotsAndLineBreaks(uvRaw));

        // sha256sum .devcontainer/Dockerfile | cut -c1-16
        String dockerfile = sha256Hex(files.require(HashInputs.DOCKERFILE)).substring(0, 16);

        return new VersionInputs(rust, node, pnpm, python, uv, dockerfile);
    }

    /** {@code echo "${VERSION_STRING}" | sha256sum | cut -c1-16}: note echo's trailing newline. */
    public static VersionHash hash(VersionInputs inputs) {
        byte[] line = (inputs.versionString() + "\n").getBytes(StandardCharsets.UTF_8);
        return new VersionHash(sha256Hex(line).substring(0, 16));
    }

    public static VersionHash hash(RepositoryFiles files) {
        return hash(inputs(files));
    }

    // sed edits line by line, so line breaks survive its [^0-9.] deletion.
    private static String keepDigitsDotsAndLineBreaks(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= '0' && c <= '9') || c == '.' || c == '\n') {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
