package io.imagefarm.hasher.api;

import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Authentication runs before the REST layer (proactively), so a token that fails verification (bad
 * signature, expired, wrong issuer or audience, unknown API token) is answered here: 401, the Bearer
 * challenge and the same JSON error body as every other refusal. The token is never logged.
 */
@ApplicationScoped
public class AuthenticationFailureHandler {

    private static final Logger LOG = Logger.getLogger(AuthenticationFailureHandler.class);

    void register(@Observes Router router) {
        router.route().order(-1000).failureHandler(ctx -> {
            if (ctx.failure() instanceof AuthenticationFailedException e) {
                LOG.debugf("authentication failed: %s", e.getMessage());
                ctx.response().setStatusCode(401)
                        .putHeader("WWW-Authenticate", "Bearer")
                        .putHeader("Content-Type", "application/json")
                        .end(Json.encode(ApiError.of("unauthorized",
                                "the credential was refused: it is expired, not yet valid, not for this service, or unknown")));
            } else {
                ctx.next();
            }
        });
    }
}
