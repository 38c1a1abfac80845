package io.imagefarm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.auth.ApiToken;
import io.imagefarm.core.auth.Caller;
import io.imagefarm.core.auth.RepositoryPattern;
import io.imagefarm.core.auth.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** A verified identity as the domain's Caller: what the access policy decides with. */
class CallersTest {

    /** A verified JWT as smallrye-jwt hands it over: string claims as JSON values whose text is quoted. */
    record Jwt(Map<String, Object> claims) implements JsonWebToken {

        @Override
        public String getName() {
            return "jwt";
        }

        @Override
        public Set<String> getClaimNames() {
            return claims.keySet();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getClaim(String claimName) {
            return (T) claims.get(claimName);
        }
    }

    /** What a JSON string claim's toString gives: the JSON text, quoted. */
    record JsonText(String value) {
        @Override
        public String toString() {
            return "\"" + value + "\"";
        }
    }

    static SecurityIdentity withPrincipal(java.security.Principal principal) {
        return QuarkusSecurityIdentity.builder().setPrincipal(principal).addRole("ci").build();
    }

    @Test
    void noIdentityIsNoCaller() {
        assertThat(Callers.of(null)).isEmpty();
    }

    @Test
    void anAnonymousIdentityIsNoCaller() {
        assertThat(Callers.of(QuarkusSecurityIdentity.builder().setAnonymous(true).build())).isEmpty();
    }

    @Test
    void anIdentityCarryingACallerIsThatCaller() {
        Caller caller = Caller.apiToken(ApiToken.of("jenkins", "ab".repeat(32), Role.CI, List.of(RepositoryPattern.parse("acme/*"))));
        SecurityIdentity identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("api-token:jenkins"))
                .addRole("ci")
                .addAttribute(ApiTokenAuthenticationMechanism.CALLER_ATTRIBUTE, caller)
                .build();

        assertThat(Callers.of(identity)).containsSame(caller);
    }

    @Test
    void aVerifiedJwtIsAnOidcCallerWithTheGithubClaimsUnquoted() {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", "repo:acme/widget:ref:refs/heads/main");
        claims.put("repository", new JsonText("acme/widget"));
        claims.put("sha", new JsonText("a".repeat(40)));
        claims.put("ref", "refs/heads/main");
        claims.put("run_id", 42L);
        claims.put("email", new JsonText("not-a-github-claim@example.com"));

        Caller caller = Callers.of(withPrincipal(new Jwt(claims))).orElseThrow();

        assertThat(caller.kind()).isEqualTo(Caller.Kind.OIDC);
        assertThat(caller.name()).isEqualTo("repo:acme/widget:ref:refs/heads/main");
        assertThat(caller.roles()).containsExactly(Role.CI);
        assertThat(caller.claims()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "repository", "acme/widget", "sha", "a".repeat(40), "ref", "refs/heads/main", "run_id", "42"));
        assertThat(caller.repositories()).isEmpty();
    }

    @Test
    void aJwtWithoutASubjectIsNamedOidc() {
        Caller caller = Callers.of(withPrincipal(new Jwt(Map.of("repository", "acme/widget")))).orElseThrow();

        assertThat(caller.name()).isEqualTo("oidc");
        assertThat(caller.claim("repository")).contains("acme/widget");
    }

    @Test
    void aVerifiedIdentityThatIsNeitherAnApiTokenNorAJwtIsNoCaller() {
        assertThat(Callers.of(withPrincipal(new QuarkusPrincipal("someone")))).isEmpty();
    }
}
