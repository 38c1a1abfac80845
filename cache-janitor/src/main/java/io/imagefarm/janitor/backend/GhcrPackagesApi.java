package io.imagefarm.janitor.backend;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The GitHub Packages REST API for container packages (docs.github.com/rest/packages/packages), as a
 * quarkus-rest-client interface. {@code owners} is {@code orgs} or {@code users}; {@code packageName} is
 * passed already URL-encoded ({@code tools%2Fwidget} for {@code ghcr.io/acme/tools/widget}). Every method
 * returns the raw {@link Response}: pagination, rate limits and status handling live in
 * {@link GhcrPackagesBackend}.
 */
@Path("/{owners}/{owner}/packages/container/{packageName}/versions")
public interface GhcrPackagesApi {

    String ACCEPT = "application/vnd.github+json";
    String API_VERSION = "2022-11-28";

    @GET
    Response listVersions(@PathParam("owners") String owners,
                          @PathParam("owner") String owner,
                          @Encoded @PathParam("packageName") String packageName,
                          @QueryParam("per_page") int perPage,
                          @QueryParam("page") int page,
                          @QueryParam("state") String state,
                          @HeaderParam("Authorization") String authorization,
                          @HeaderParam("Accept") String accept,
                          @HeaderParam("X-GitHub-Api-Version") String apiVersion);

    @DELETE
    @Path("/{versionId}")
    Response deleteVersion(@PathParam("owners") String owners,
                           @PathParam("owner") String owner,
                           @Encoded @PathParam("packageName") String packageName,
                           @PathParam("versionId") String versionId,
                           @HeaderParam("Authorization") String authorization,
                           @HeaderParam("Accept") String accept,
                           @HeaderParam("X-GitHub-Api-Version") String apiVersion);
}
