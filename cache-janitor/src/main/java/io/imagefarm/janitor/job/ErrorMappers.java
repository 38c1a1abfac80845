package io.imagefarm.janitor.job;

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
}
