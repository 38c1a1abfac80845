package io.imagefarm.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the service's API (prefix {@code imagefarm.auth}, shared by the hasher and the janitor).
 * OIDC issuers themselves are quarkus-oidc tenants (see the hasher's README); this holds what
 * quarkus-oidc does not: static API tokens and per-repository claim conditions.
 */
@ConfigMapping(prefix = "imagefarm.auth")
public interface AuthConfig {

    /** Static API tokens by name (the name appears in audit logs; the token never does). */
    Map<String, ApiTokenConfig> apiTokens();

    /** Conditions on OIDC tokens, by repository (OWNER/NAME). */
    Map<String, OidcConditions> oidcRepositories();

    interface ApiTokenConfig {
        /** SHA-256 of the token, hex ({@code printf %s "$TOKEN" | sha256sum}). */
        Optional<String> sha256();

        /** A file holding that digest; wins over {@code sha256}. */
        Optional<Path> sha256File();

        /** {@code ci} or {@code admin}. */
        @WithDefault("ci")
        String role();

        /** OWNER/NAME, OWNER/* or *; a {@code ci} token without any acts on nothing. */
        Optional<List<String>> repositories();
    }

    interface OidcConditions {
        /** The token's {@code ref} must match one of these ({@code *} is any text). */
        Optional<List<String>> ref();

        /** The token's {@code job_workflow_ref} must match one of these. */
        Optional<List<String>> jobWorkflowRef();
    }
}
