package io.imagefarm.hasher.rest;

import io.imagefarm.core.auth.Action;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.hasher.resolve.ImageResolver;
import io.imagefarm.hasher.resolve.ResolveRequest;
import io.imagefarm.hasher.resolve.Resolution;
import io.imagefarm.hasher.service.ResolveService;
import io.imagefarm.core.image.Arch;
import io.imagefarm.edge.BadRequestException;
import io.imagefarm.edge.JsonBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** For CI jobs that have the checkout (resolve) and for anyone who wants the hash alone; both need a credential for the repository. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ResolveResource {

    /** {@code files}: path → content of the five hash inputs; absent to have the service fetch them. */
    public record ResolveBody(String repository, String commit, String sourceUrl, Map<String, String> files) {
    }

    public record HashBody(String repository, String commit, Map<String, String> files) {
    }

    // Read by the edge's strict rules: a misspelt field is refused, not ignored (absent sourceUrl or files change what happens).
    private static final JsonBodies.Reader<ResolveBody> RESOLVE_BODY = JsonBodies.reader(ResolveBody.class,
            "repository (OWNER/NAME), commit, sourceUrl (optional), files (optional: path → content)",
            JsonBodies.Nullness.NULL_IS_ABSENT, null);
    private static final JsonBodies.Reader<HashBody> HASH_BODY = JsonBodies.reader(HashBody.class,
            "repository (OWNER/NAME), commit (optional), files (path → content)", JsonBodies.Nullness.NULL_IS_ABSENT, null);

    private final ResolveService service;
    private final HasherConfig config;
    private final List<Arch> arches;
    private final Access access;

    public ResolveResource(ResolveService service, HasherConfig config, List<Arch> arches, Access access) {
        this.access = access;
        this.service = service;
        this.config = config;
        this.arches = arches;
    }

    @POST
    @Path("/resolve")
    @Operation(summary = "Resolve the builder image a commit needs; publish build events for missing arches")
    public Resolution resolve(byte[] body) {
        access.authenticated(); // 401 before anything of the body is read
        ResolveBody request = RESOLVE_BODY.read(body);
        SourceRepository repository = SourceRepository.parse(request.repository());
        access.require(Action.RESOLVE, repository, Optional.ofNullable(request.commit()));
        return service.resolveFromApi(repository, request.commit(), request.sourceUrl(), request.files());
    }

    @POST
    @Path("/hash")
    @Operation(summary = "Compute the version hash and image refs from posted files (no registry, no Kafka)")
    public Resolution hash(byte[] body) {
        access.authenticated();
        HashBody request = HASH_BODY.read(body);
        SourceRepository repository = SourceRepository.parse(request.repository());
        access.require(Action.HASH, repository, Optional.ofNullable(request.commit()));
        if (request.files() == null) {
            throw new BadRequestException("missing-files", "'files' is required: path → content of the five hash inputs");
        }
        String commit = request.commit() != null ? request.commit() : "0".repeat(40);
        return ImageResolver.hashOnly(config.registry(), arches, new ResolveRequest(repository,
                commit, null, RepositoryFiles.ofText(request.files())));
    }
}
