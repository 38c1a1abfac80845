package io.imagefarm.registry;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The OCI distribution API of one registry; the base URI is {@code <scheme>://<registry>/v2/}, so one
 * client serves every repository there. {@code name} is a validated repository path
 * ({@link io.imagefarm.core.image.Repository}): lower-case letters, digits, separators and '/', nothing to
 * encode, so it is passed {@link Encoded} and its '/'s stay path separators. Every method returns the raw
 * {@link Response}: status handling lives in {@link RegistryClient}, auth in {@link RegistryAuthenticator},
 * retry in {@link RegistryTransport}.
 */
public interface RegistryApi {

    /** The API base, {@code GET /v2/}: the version check every distribution registry answers. */
    @GET
    Response ping();

    @HEAD
    @Path("{name}/manifests/{reference}")
    Response headManifest(@Encoded @PathParam("name") String name,
                          @PathParam("reference") String reference,
                          @HeaderParam("Accept") String accept,
                          @HeaderParam("Authorization") String authorization);

    @GET
    @Path("{name}/manifests/{reference}")
    Response getManifest(@Encoded @PathParam("name") String name,
                         @PathParam("reference") String reference,
                         @HeaderParam("Accept") String accept,
                         @HeaderParam("Authorization") String authorization);

    @PUT
    @Path("{name}/manifests/{reference}")
    Response putManifest(@Encoded @PathParam("name") String name,
                         @PathParam("reference") String reference,
                         @HeaderParam("Content-Type") String contentType,
                         @HeaderParam("Authorization") String authorization,
                         byte[] body);

    @DELETE
    @Path("{name}/manifests/{digest}")
    Response deleteManifest(@Encoded @PathParam("name") String name,
                            @PathParam("digest") String digest,
                            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("{name}/tags/list")
    Response listTags(@Encoded @PathParam("name") String name,
                      @QueryParam("n") Integer pageSize,
                      @QueryParam("last") String last,
                      @HeaderParam("Authorization") String authorization);

    @GET
    @Path("{name}/blobs/{digest}")
    Response getBlob(@Encoded @PathParam("name") String name,
                     @PathParam("digest") String digest,
                     @HeaderParam("Authorization") String authorization);

    @HEAD
    @Path("{name}/blobs/{digest}")
    Response headBlob(@Encoded @PathParam("name") String name,
                      @PathParam("digest") String digest,
                      @HeaderParam("Authorization") String authorization);

    /** Starts a blob upload; the answer's {@code Location} says where its content goes. */
    @POST
    @Path("{name}/blobs/uploads/")
    Response startBlobUpload(@Encoded @PathParam("name") String name,
                             @HeaderParam("Authorization") String authorization);

    /**
     * Completes an upload in one PUT: {@code location} is the upload's path below {@code /v2/} as the
     * registry named it (already encoded), {@code query} its query parameters plus {@code digest}.
     */
    @PUT
    @Path("{location: .+}")
    Response completeBlobUpload(@Encoded @PathParam("location") String location,
                                @RestQuery Map<String, String> query,
                                @HeaderParam("Content-Type") String contentType,
                                @HeaderParam("Authorization") String authorization,
                                byte[] body);
}
