package io.imagefarm.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.jboss.logging.Logger;

/**
 * Authentication runs before the REST layer (proactively), so a credential that fails verification
 * (bad signature, expired, wrong issuer or audience, unknown API token) is answered by a route
 * failure handler: 401, the Bearer challenge and the services' JSON error body. Each service installs
 * it from its own {@code @Observes Router} method; the token is never logged.
 */
public final class AuthenticationFailures {

    public static final String MESSAGE = "the credential was refused: it is expired, not yet valid, not for this service, or unknown";
    private static final Logger LOG = Logger.getLogger(AuthenticationFailures.class);

    private AuthenticationFailures() {
    }

    public static void install(Router router) {
        router.route().order(-1000).failureHandler(ctx -> {
            if (ctx.failure() instanceof AuthenticationFailedException e) {
                LOG.debugf("authentication failed: %s", e.getMessage());
                ctx.response().setStatusCode(401)
                        .putHeader("WWW-Authenticate", "Bearer")
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", "unauthorized").put("message", MESSAGE).encode());
            } else {
                ctx.next();
            }
        });
    }
}
