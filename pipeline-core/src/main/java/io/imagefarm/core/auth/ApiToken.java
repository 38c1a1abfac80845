package io.imagefarm.core.auth;

import java.util.HexFormat;
import java.util.List;

/**
 * A static API token as configured: only its SHA-256 digest is known to the service, with a name
 * for audit logs, a role and the repositories it may act on. Revoking means removing it from config.
 */
public record ApiToken(String name, byte[] sha256, Role role, List<RepositoryPattern> repositories) {

    public ApiToken {
        if (sha256 == null || sha256.length != 32) {
            throw new IllegalArgumentException("API token " + name + ": the digest must be 64 hex characters (sha256sum of the token)");
        }
        sha256 = sha256.clone();
        repositories = List.copyOf(repositories);
    }

    /** From the hex digest {@code printf %s "$TOKEN" | sha256sum} prints. */
    public static ApiToken of(String name, String sha256Hex, Role role, List<RepositoryPattern> repositories) {
        String hex = sha256Hex == null ? "" : sha256Hex.strip().toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("API token " + name + ": the digest must be 64 hex characters (sha256sum of the token)");
        }
        return new ApiToken(name, HexFormat.of().parseHex(hex), role, repositories);
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public String toString() {
        return "ApiToken[" + name + ", " + role.roleName() + ", " + repositories + "]";
    }
}
