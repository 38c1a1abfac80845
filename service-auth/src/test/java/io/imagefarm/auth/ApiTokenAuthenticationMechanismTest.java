package io.imagefarm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.auth.ApiToken;
import io.imagefarm.core.auth.ApiTokens;
import io.imagefarm.core.auth.Caller;
import io.imagefarm.core.auth.RepositoryPattern;
import io.imagefarm.core.auth.Role;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Proxy;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the mechanism decides for each Authorization header, called as Quarkus calls it. The routing
 * context is a stand-in that answers only the header and the remote address; any other call fails the
 * test, so the mechanism is also shown to read nothing else of the request (no body).
 */
class ApiTokenAuthenticationMechanismTest {

    static final String CI_TOKEN = "ci-token-7f3a";
    static final String ADMIN_TOKEN = "admin-token-c41d";

    final ApiTokenAuthenticationMechanism mechanism = new ApiTokenAuthenticationMechanism(new ApiTokens(List.of(
            ApiToken.of("jenkins", hex(CI_TOKEN), Role.CI, List.of(RepositoryPattern.parse("acme/*"))),
            ApiToken.of("ops", hex(ADMIN_TOKEN), Role.ADMIN, List.of()))));

    static String hex(String token) {
        return HexFormat.of().formatHex(ApiTokens.sha256(token));
    }

    /** A routing context whose request carries this Authorization header (null: none). */
    static RoutingContext requestWith(String authorization) {
        HttpServerRequest request = (HttpServerRequest) Proxy.newProxyInstance(HttpServerRequest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> "Authorization".equalsIgnoreCase(args[0].toString()) ? authorization : null;
                    case "remoteAddress" -> SocketAddress.inetSocketAddress(40000, "192.0.2.7");
                    case "toString" -> "request with Authorization " + authorization;
                    default -> throw new UnsupportedOperationException("the mechanism read request." + method.getName());
                });
        return (RoutingContext) Proxy.newProxyInstance(RoutingContext.class.getClassLoader(),
                new Class<?>[] {RoutingContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "request" -> request;
                    case "toString" -> "context of " + request;
                    default -> throw new UnsupportedOperationException("the mechanism read context." + method.getName());
                });
    }

    SecurityIdentity authenticate(String authorization) {
        return mechanism.authenticate(requestWith(authorization), null).await().indefinitely();
    }

    @Test
    void aKnownTokenGivesAnIdentityWithItsRoleAndItsCaller() {
        SecurityIdentity identity = authenticate("Bearer " + CI_TOKEN);

        assertThat(identity.isAnonymous()).isFalse();
        assertThat(identity.getPrincipal().getName()).isEqualTo("api-token:jenkins");
        assertThat(identity.getRoles()).containsExactly("ci");
        Caller caller = identity.getAttribute(ApiTokenAuthenticationMechanism.CALLER_ATTRIBUTE);
        assertThat(caller.kind()).isEqualTo(Caller.Kind.API_TOKEN);
        assertThat(caller.name()).isEqualTo("jenkins");
        assertThat(caller.roles()).containsExactly(Role.CI);
        assertThat(caller.repositories()).extracting(RepositoryPattern::toString).containsExactly("acme/*");
    }

    @Test
    void anAdminTokenGivesTheAdminRoleOnly() {
        SecurityIdentity identity = authenticate("Bearer " + ADMIN_TOKEN);

        assertThat(identity.getRoles()).containsExactly("admin");
        assertThat(identity.hasRole("ci")).isFalse();
        assertThat(Callers.of(identity)).get().satisfies(c -> assertThat(c.has(Role.ADMIN)).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer " + CI_TOKEN, "BEARER   " + CI_TOKEN + "  "})
    void aKnownTokenIsAcceptedWhateverTheCaseOfTheSchemeAndTheSpacesAroundIt(String header) {
        assertThat(authenticate(header).getPrincipal().getName()).isEqualTo("api-token:jenkins");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown-token", CI_TOKEN + "x", "a.b", "a.b.c.d", "not a token"})
    void anUnknownTokenThatIsNotAJwtFailsWithoutEchoingTheToken(String token) {
        assertThatThrownBy(() -> authenticate("Bearer " + token))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessage("unknown API token");
    }

    @Test
    void theDigestOfAKnownTokenIsNotItselfAToken() {
        assertThatThrownBy(() -> authenticate("Bearer " + hex(CI_TOKEN)))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvd2lkZ2V0In0.c2lnbmF0dXJl",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",   // an unsigned JWT: still the OIDC mechanism's to refuse
        "a.b.c",
    })
    void aJwtShapedTokenIsLeftToTheNextMechanism(String jwt) {
        assertThat(authenticate("Bearer " + jwt)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Bearer\t" + CI_TOKEN})
    void noBearerTokenMeansNoIdentityFromThisMechanism(String header) {
        assertThat(authenticate(header)).isNull();
    }

    @Test
    void noAuthorizationHeaderMeansNoIdentityFromThisMechanism() {
        assertThat(authenticate(null)).isNull();
    }

    @Test
    void theChallengeIsA401WithTheBearerScheme() {
        ChallengeData challenge = mechanism.getChallenge(requestWith(null)).await().indefinitely();

        assertThat(challenge.status).isEqualTo(401);
        assertThat(challenge.getHeaders()).containsEntry("WWW-Authenticate", "Bearer");
    }

    @Test
    void itRunsBeforeMechanismsOfTheDefaultPrioritySuchAsOidcsBearer() {
        assertThat(mechanism.getPriority()).isGreaterThan(HttpAuthenticationMechanism.DEFAULT_PRIORITY);
    }
}
