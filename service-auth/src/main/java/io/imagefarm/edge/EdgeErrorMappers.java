package io.imagefarm.edge;

import io.imagefarm.core.auth.AccessDeniedException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The errors every service answers the same way, each as an {@link ApiError}: the services' own 4xx
 * ({@link ApiException}), 401 with the Bearer challenge, 403, the HTTP layer's own refusals (404, 405,
 * 415, ...), and anything unforeseen as a 500 whose body says nothing of the failure (it is logged, with
 * its stack, for the operator). A service maps its domain's exceptions in a mapper of its own; Quarkus
 * picks the most specific mapper for an exception, so these are the edge's floor.
 */
public class EdgeErrorMappers {

    static final String UNAUTHORIZED = "a valid credential is required: Authorization: Bearer <GitHub Actions OIDC token or API token>";
    static final String FORBIDDEN = "this credential's role does not allow this request";
    static final String INTERNAL = "the service failed to answer this request; the failure is logged";
    private static final Logger LOG = Logger.getLogger(EdgeErrorMappers.class);

    /** The one way a service writes an error answer. */
    public static Response answer(int status, ApiError error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(error).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.body());
        if (e.retryAfterSeconds() > 0) {
            r.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        return r.build();
    }

    /** No credential, or one that failed verification: 401 and the Bearer challenge; the reason is logged, not echoed. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        LOG.debugf("401: %s", e.getMessage());
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).header("WWW-Authenticate", "Bearer")
                .entity(ApiError.of("unauthorized", UNAUTHORIZED)).build();
    }

    /** A verified caller whose credential does not cover the request; the policy's message says what (its own words). */
    @ServerExceptionMapper
    public Response accessDenied(AccessDeniedException e) {
        LOG.infof("access denied: %s", e.getMessage());
        return answer(403, ApiError.of("forbidden", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return answer(403, ApiError.of("forbidden", FORBIDDEN));
    }

    /** The HTTP layer's own refusals: no such resource (404), method (405), media type (415), ... */
    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String reason = type == null ? "HTTP " + status : type.getReasonPhrase();
        return answer(status, ApiError.of(reason.toLowerCase(Locale.ROOT).replace(' ', '-'), reason));
    }

    /** Anything no mapper foresaw: a bug, or a failure with no better answer. Nothing of it reaches the caller. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.errorf(e, "unexpected failure answering a request");
        return answer(500, ApiError.of("internal-error", INTERNAL));
    }
}
