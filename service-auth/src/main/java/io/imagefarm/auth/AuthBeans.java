package io.imagefarm.auth;

import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * What every service that uses this module gets: the static API token mechanism (by SHA-256 digest,
 * from {@code imagefarm.auth.api-tokens}). Bearer tokens that are JWTs go on to quarkus-oidc where
 * a service has it; the mechanism's priority is above OIDC's (see {@link ApiTokenAuthenticationMechanism}).
 */
@ApplicationScoped
public class AuthBeans {

    @Produces
    @ApplicationScoped
    HttpAuthenticationMechanism apiTokens(AuthConfig auth) {
        return new ApiTokenAuthenticationMechanism(AuthSettings.apiTokens(auth));
    }
}
