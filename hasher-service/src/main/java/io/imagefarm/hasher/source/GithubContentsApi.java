package io.imagefarm.hasher.source;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The slice of GitHub's REST API the hasher reads: the repository, the commit, and file contents at
 * that commit (raw media type). Paths are split by segment so '/' is never percent-encoded.
 */
@Path("/repos/{owner}/{repo}")
public interface GithubContentsApi {

    String RAW = "application/vnd.github.raw+json";
    String JSON = "application/vnd.github+json";
    String API_VERSION = "2022-11-28";

    @GET
    Response repository(@PathParam("owner") String owner, @PathParam("repo") String repo,
                        @HeaderParam("Accept") String accept, @HeaderParam("Authorization") String authorization,
                        @HeaderParam("X-GitHub-Api-Version") String apiVersion);

    @GET
    @Path("/commits/{ref}")
    Response commit(@PathParam("owner") String owner, @PathParam("repo") String repo, @PathParam("ref") String ref,
                    @HeaderParam("Accept") String accept, @HeaderParam("Authorization") String authorization,
                    @HeaderParam("X-GitHub-Api-Version") String apiVersion);

    @GET
    @Path("/contents/{file}")
    Response file(@PathParam("owner") String owner, @PathParam("repo") String repo, @PathParam("file") String file,
                  @QueryParam("ref") String ref, @HeaderParam("Accept") String accept,
                  @HeaderParam("Authorization") String authorization, @HeaderParam("X-GitHub-Api-Version") String apiVersion);

    @GET
    @Path("/contents/{dir}/{file}")
    Response fileInDirectory(@PathParam("owner") String owner, @PathParam("repo") String repo, @PathParam("dir") String dir,
                             @PathParam("file") String file, @QueryParam("ref") String ref, @HeaderParam("Accept") String accept,
                             @HeaderParam("Authorization") String authorization, @HeaderParam("X-GitHub-Api-Version") String apiVersion);
}
