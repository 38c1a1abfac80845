package io.imagefarm.registry;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The OCI distribution API of one repository; the base URI is {@code <scheme>://<registry>/v2/<name>/},
 * so repository names with '/' never go through path-parameter encoding. Every method returns the
 * raw {@link Response}: status handling, auth and retry live in {@link RegistryClient}.
 */
public interface RepositoryApi {

    @HEAD
    @Path("manifests/{reference}")
    Response headManifest(@PathParam("reference") String reference,
                          @HeaderParam("Accept") String accept,
                          @HeaderParam("Authorization") String authorization);

    @GET
    @Path("manifests/{reference}")
    Response getManifest(@PathParam("reference") String reference,
                         @HeaderParam("Accept") String accept,
                         @HeaderParam("Authorization") String authorization);

    @PUT
    @Path("manifests/{reference}")
    Response putManifest(@PathParam("reference") String reference,
                         @HeaderParam("Content-Type") String contentType,
                         @HeaderParam("Authorization") String authorization,
                         byte[] body);

    @DELETE
    @Path("manifests/{digest}")
    Response deleteManifest(@PathParam("digest") String digest,
                            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("tags/list")
    Response listTags(@QueryParam("n") Integer pageSize,
                      @QueryParam("last") String last,
                      @HeaderParam("Authorization") String authorization);

    @GET
    @Path("blobs/{digest}")
    Response getBlob(@PathParam("digest") String digest,
                     @HeaderParam("Authorization") String authorization);
}
