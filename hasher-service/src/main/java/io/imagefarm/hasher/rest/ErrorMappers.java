package io.imagefarm.hasher.rest;

import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.edge.ApiError;
import io.imagefarm.edge.EdgeErrorMappers;
import io.imagefarm.hasher.resolve.InvalidCommitException;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.hasher.service.RepositoryNotAllowedException;
import io.imagefarm.hasher.source.SourceNotFoundException;
import io.imagefarm.hasher.source.InvalidSourceUrlException;
import io.imagefarm.hasher.source.SourceUnavailableException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The hasher's domain errors to HTTP, as the edge's {@link ApiError}: bad input is a 4xx that says what
 * is wrong; an outage of the registry, the source or Kafka is a 503, never a pretended success. What
 * every service answers alike (401, 403, the services' own 4xx, the HTTP layer's, an unforeseen 500)
 * is the edge's {@link io.imagefarm.edge.EdgeErrorMappers}.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    static Response json(int status, ApiError error) {
        return EdgeErrorMappers.answer(status, error);
    }

    @ServerExceptionMapper
    public Response invalidFiles(InvalidRepositoryFilesException e) {
        return json(422, new ApiError("invalid-repository-files", e.getMessage(), null, e.file()));
    }

    @ServerExceptionMapper
    public Response invalidReference(InvalidReferenceException e) {
        return json(400, ApiError.of("invalid-repository", e.getMessage()));
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

    @ServerExceptionMapper
    public Response invalidCommit(InvalidCommitException e) {
        return json(400, ApiError.of("invalid-commit", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response invalidSourceUrl(InvalidSourceUrlException e) {
        return json(400, ApiError.of("invalid-source-url", e.getMessage()));
    }
}
