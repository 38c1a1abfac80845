package io.imagefarm.auth;

import io.imagefarm.core.auth.ApiTokens;
import io.imagefarm.core.auth.Caller;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Static API tokens for CI systems other than GitHub Actions: {@code Authorization: Bearer <token>}
 * where the token is not a JWT. A JWT is left to the next mechanism (quarkus-oidc, where the service
 * has it), so one header carries either kind. Unknown tokens fail; a missing header means anonymous.
 * Not a bean by itself: a service that accepts API tokens produces it.
 */
public final class ApiTokenAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The identity attribute that holds the {@link Caller}. */
    public static final String CALLER_ATTRIBUTE = "imagefarm.caller";
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final Logger LOG = Logger.getLogger(ApiTokenAuthenticationMechanism.class);

    private final ApiTokens tokens;

    public ApiTokenAuthenticationMechanism(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String token = BearerTokens.from(context.request().getHeader("Authorization"));
        if (token == null || JWT.matcher(token).matches()) {
            return Uni.createFrom().nullItem();
        }
        return tokens.match(token).<Uni<SecurityIdentity>>map(t -> {
            Caller caller = Caller.apiToken(t);
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal("api-token:" + t.name()))
                    .addRole(t.role().roleName())
                    .addAttribute(CALLER_ATTRIBUTE, caller)
                    .build());
        }).orElseGet(() -> {
            LOG.debugf("an unknown API token was presented by %s", context.request().remoteAddress());
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown API token"));
        });
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    /** Before quarkus-oidc's bearer mechanism, which would take any bearer token for its own. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }
}
