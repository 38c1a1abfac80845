package io.imagefarm.core.hash;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The six values the seed joins with '|' before hashing, exactly as its bash variables hold them.
 * Carried in events so a worker and a human can see why an image exists.
 */
public record VersionInputs(String rustChannel, String nodeVersion, String pnpmVersion, String pythonVersion,
                            String uvVersion, String dockerfileHash) {

    public VersionInputs {
        Objects.requireNonNull(rustChannel, "rustChannel");
        Objects.requireNonNull(nodeVersion, "nodeVersion");
        Objects.requireNonNull(pnpmVersion, "pnpmVersion");
        Objects.requireNonNull(pythonVersion, "pythonVersion");
        Objects.requireNonNull(uvVersion, "uvVersion");
        Objects.requireNonNull(dockerfileHash, "dockerfileHash");
    }

    /** {@code RUST|NODE|PNPM|PYTHON|UV|DOCKERFILE_HASH}, the seed's VERSION_STRING. */
    public String versionString() {
        return String.join("|", rustChannel, nodeVersion, pnpmVersion, pythonVersion, uvVersion, dockerfileHash);
    }

    /** The seed's variable names and values, in the seed's order. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("RUST_CHANNEL", rustChannel);
        m.put("NODE_VERSION", nodeVersion);
        m.put("PNPM_VERSION", pnpmVersion);
        m.put("PYTHON_VERSION", pythonVersion);
        m.put("UV_VERSION", uvVersion);
        m.put("DOCKERFILE_HASH", dockerfileHash);
        return m;
    }
}
