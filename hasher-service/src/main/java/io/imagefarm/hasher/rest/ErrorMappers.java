package io.imagefarm.hasher.rest;

import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.hasher.service.RepositoryNotAllowedException;
import io.imagefarm.hasher.source.SourceNotFoundException;
import io.imagefarm.hasher.source.InvalidSourceUrlException;
import io.imagefarm.hasher.source.SourceUnavailableException;
import io.imagefarm.core.auth.AccessDeniedException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Typed errors to HTTP, in one place: bad input is a 4xx that says what is wrong; an outage of the
 * registry, the source or Kafka is a 503, never a pretended success.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    static Response json(int status, ApiError error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(error).build();
    }

    @ServerExceptionMapper
    public Response invalidFiles(InvalidRepositoryFilesException e) {
        return json(422, new ApiError("invalid-repository-files", e.getMessage(), e.file()));
    }

    @ServerExceptionMapper
    public Response invalidReference(InvalidReferenceException e) {
        return json(400, ApiError.of("invalid-repository", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequestBodyException e) {
        return json(400, ApiError.of(e.code(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return json(400, ApiError.of("invalid-request", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response notAllowed(RepositoryNotAllowedException e) {
        return json(403, ApiError.of("repository-not-allowed", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response notFound(SourceNotFoundException e) {
        String code = e.what() == SourceNotFoundException.What.COMMIT ? "commit-not-found" : "repository-not-found";
        return json(404, ApiError.of(code, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response sourceUnavailable(SourceUnavailableException e) {
        LOG.warn(e.getMessage());
        return json(503, ApiError.of("source-unavailable", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response registry(RegistryException e) {
        LOG.warn(e.getMessage());
        if (e.isTransient()) {
            return json(503, ApiError.of("registry-unavailable", e.getMessage()));
        }
        return json(502, ApiError.of(e.isAuthFailure() ? "registry-auth" : "registry-error", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response kafka(PublishFailedException e) {
        LOG.warn(e.getMessage());
        return json(503, ApiError.of("kafka-unavailable", e.getMessage()));
    }

    /** No credential, or one that failed verification: 401 with the Bearer challenge; the reason is logged, not echoed. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        String message = e.getMessage();
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).header("WWW-Authenticate", "Bearer")
                .entity(ApiError.of("unauthorized", message == null || message.isBlank()
                        ? "a valid credential is required: Authorization: Bearer <GitHub Actions OIDC token or API token>" : message))
                .build();
    }

    @ServerExceptionMapper
    public Response accessDenied(AccessDeniedException e) {
        LOG.infof("access denied: %s", e.getMessage());
        return json(403, ApiError.of("forbidden", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return json(403, ApiError.of("forbidden", "this credential's role does not allow this request"));
    }

    @ServerExceptionMapper
    public Response invalidSourceUrl(InvalidSourceUrlException e) {
        return json(400, ApiError.of("invalid-source-url", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response tooManyWaiters(TooManyWaitersException e) {
        return Response.status(429).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", "5")
                .entity(ApiError.of("too-many-waiters", e.getMessage())).build();
    }
}
