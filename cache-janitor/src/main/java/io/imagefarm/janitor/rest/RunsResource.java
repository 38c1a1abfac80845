package io.imagefarm.janitor.rest;

import io.imagefarm.core.auth.Role;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.config.JanitorConfig;
import io.imagefarm.janitor.job.JanitorService;
import io.imagefarm.janitor.job.RunGate;
import io.imagefarm.janitor.job.RunRequest;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.edge.ApiException;
import io.imagefarm.edge.BadRequestException;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code POST /api/v1/janitor/runs} runs now and returns the report with the full plan
 * ({@code {"dryRun": true|false, "force": false, "repositories": ["id", ...]}}; dry run by default);
 * 400 naming the field for a body that is not exactly that (see {@link RunBody}) or an unknown repository
 * id; 409 {@code run-in-progress} or {@code not-leader} when a run is in progress or another replica holds
 * the lease. {@code GET .../runs/latest} returns the last report of this replica, 404 {@code no-run-yet}
 * before the first. Every error answer is the REST edge's {@link io.imagefarm.edge.ApiError}.
 * Runs delete, so they need an API token with the role {@code admin}; reads need any credential.
 */
@Path("/api/v1/janitor")
@Produces(MediaType.APPLICATION_JSON)
public class RunsResource {

    private final JanitorService janitor;
    private final boolean dryRunByDefault;
    private final SortedSet<String> repositoryIds;

    public RunsResource(JanitorService janitor, JanitorConfig config, List<RepositoryTarget> targets) {
        this.janitor = janitor;
        this.dryRunByDefault = config.manualDryRunDefault();
        this.repositoryIds = Collections.unmodifiableSortedSet(
                targets.stream().map(RepositoryTarget::id).collect(Collectors.toCollection(TreeSet::new)));
    }

    @POST
    @Path("/runs")
    @RolesAllowed(Role.Names.ADMIN)
    public Response run(byte[] body) {
        RunBody b = RunBody.parse(body);
        RunRequest request = new RunRequest(JanitorReport.Trigger.API,
                b.dryRun() != null ? b.dryRun() : dryRunByDefault, Boolean.TRUE.equals(b.force()), b.repositories());
        Set<String> unknown = new TreeSet<>(request.repositories());
        unknown.removeAll(repositoryIds);
        if (!unknown.isEmpty()) {
            throw new BadRequestException("unknown-repository", "repositories",
                    "unknown repositories " + unknown + "; configured: " + repositoryIds);
        }
        try {
            return Response.ok(janitor.run(request)).build();
        } catch (RunGate.RunRefusedException e) {
            throw new ApiException(409, e.refusal().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getMessage());
        }
    }

    @GET
    @Path("/runs/latest")
    @Authenticated
    public Response latest() {
        return janitor.latest().map(r -> Response.ok(r).build())
                .orElseThrow(() -> new ApiException(404, "no-run-yet", "this replica has run no janitor run yet"));
    }

    @GET
    @Path("/lease")
    @Authenticated
    public Map<String, Object> lease() {
        return Map.of("held", janitor.leaseHeld(), "state", janitor.leaseState());
    }
}
