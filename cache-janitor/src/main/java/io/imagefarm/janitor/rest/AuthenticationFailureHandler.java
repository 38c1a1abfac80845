package io.imagefarm.janitor.rest;

import io.imagefarm.auth.AuthenticationFailures;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** A credential that fails verification: 401 with the JSON error body (see {@link AuthenticationFailures}). */
@ApplicationScoped
public class AuthenticationFailureHandler {

    void register(@Observes Router router) {
        AuthenticationFailures.install(router);
    }
}
