package io.imagefarm.edge;

import io.imagefarm.auth.AuthenticationFailures;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** A credential that fails verification before the REST layer: 401 with the edge's error body (see {@link AuthenticationFailures}). */
@ApplicationScoped
public class AuthenticationFailureHandler {

    void register(@Observes Router router) {
        AuthenticationFailures.install(router);
    }
}
