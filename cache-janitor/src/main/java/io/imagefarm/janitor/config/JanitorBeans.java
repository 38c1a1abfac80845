package io.imagefarm.janitor.config;

import io.imagefarm.auth.ApiTokenAuthenticationMechanism;
import io.imagefarm.auth.AuthConfig;
import io.imagefarm.auth.AuthSettings;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** What the janitor's API needs from config: who may call it (static API tokens, by digest). */
@ApplicationScoped
public class JanitorBeans {

    @Produces
    @ApplicationScoped
    HttpAuthenticationMechanism apiTokens(AuthConfig auth) {
        return new ApiTokenAuthenticationMechanism(AuthSettings.apiTokens(auth));
    }
}
