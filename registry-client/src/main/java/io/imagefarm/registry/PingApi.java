package io.imagefarm.registry;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.core.Response;

/** The registry's API base, {@code GET /v2/}: the version check every distribution registry answers. */
public interface PingApi {

    @GET
    Response ping();
}
