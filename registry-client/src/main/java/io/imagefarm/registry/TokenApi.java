package io.imagefarm.registry;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/** A registry's token endpoint (the {@code realm} of a Bearer challenge), as ghcr.io and Docker Hub run it. */
public interface TokenApi {

    @GET
    Response token(@QueryParam("service") String service,
                   @QueryParam("scope") String scope,
                   @HeaderParam("Authorization") String basicAuthorization);
}
