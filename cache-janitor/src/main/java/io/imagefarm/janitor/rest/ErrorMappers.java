package io.imagefarm.janitor.rest;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Typed errors to HTTP, in one place, with the hasher-service's {@link ApiError} body. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response badRequestBody(BadRequestBodyException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(e.code(), e.getMessage(), e.field())).build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).header("WWW-Authenticate", "Bearer")
                .entity(new ApiError("unauthorized", "a credential is required: Authorization: Bearer <API token>", null)).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Response.status(403).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError("forbidden", "janitor runs need an API token with the role admin", null)).build();
    }
}
