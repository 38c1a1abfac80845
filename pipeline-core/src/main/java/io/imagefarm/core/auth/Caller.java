package io.imagefarm.core.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, as far as a verified credential proves it. The framework verifies (signature,
 * issuer, audience, lifetime, token digest); this record carries only the result into the policy.
 *
 * @param name         for audit logs: the token's name, or the OIDC subject
 * @param claims       verified OIDC claims by GitHub's names ({@code repository}, {@code sha}, {@code ref}, ...); empty for API tokens
 * @param repositories what an API token may act on; empty for OIDC callers (their {@code repository} claim decides)
 */
public record Caller(String name, Kind kind, Set<Role> roles, Map<String, String> claims, List<RepositoryPattern> repositories) {

    public enum Kind {
        OIDC,
        API_TOKEN
    }

    public Caller {
        roles = Set.copyOf(roles);
        claims = Map.copyOf(claims);
        repositories = List.copyOf(repositories);
    }

    /** A GitHub Actions (or other OIDC) job: role {@code ci}, scoped by its claims. */
    public static Caller oidc(String subject, Map<String, String> claims) {
        return new Caller(subject, Kind.OIDC, Set.of(Role.CI), claims, List.of());
    }

    public static Caller apiToken(ApiToken token) {
        return new Caller(token.name(), Kind.API_TOKEN, Set.of(token.role()), Map.of(), token.repositories());
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public Optional<String> claim(String name) {
        return Optional.ofNullable(claims.get(name)).filter(v -> !v.isBlank());
    }
}
