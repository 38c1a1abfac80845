package io.imagefarm.hasher.rest;

import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.rest.Access;
import io.imagefarm.edge.BadRequestException;
import io.imagefarm.hasher.board.BuildBoard;
import io.imagefarm.hasher.board.FarmBoard;
import io.imagefarm.hasher.board.ImageDetail;
import io.imagefarm.hasher.board.JanitorRuns;
import io.imagefarm.hasher.board.Overview;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.hasher.resolve.StatusBook;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The dashboard: server-rendered pages (usable without JavaScript; {@code dashboard.js} adds live
 * updates from {@code /api/v1/events}, and re-reads the farm section from {@code /farm} every few
 * seconds). Read-only, under the API's read rules: a worker's build of a repository the caller may not
 * read is shown without its image. Every value from a status or a beat is untrusted and escaped by
 * Qute; the only raw output is the trend SVG, made of numbers.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance overview(List<Overview.RepositoryRow> rows, List<JanitorRuns.Run> runs,
                                                FarmBoard.View farm, String repository, String registry, Instant now);

        /** The overview's farm section alone, for the page to re-read every few seconds. */
        static native TemplateInstance farm(FarmBoard.View farm);

        static native TemplateInstance image(ImageDetail detail, String registry, Instant now);
    }

    private final Access access;
    private final StatusBook book;
    private final BuildBoard board;
    private final JanitorRuns janitorRuns;
    private final FarmBoard farm;
    private final List<Arch> arches;
    private final HasherConfig config;

    public DashboardResource(Access access, StatusBook book, BuildBoard board, JanitorRuns janitorRuns, FarmBoard farm,
                             List<Arch> arches, HasherConfig config) {
        this.access = access;
        this.book = book;
        this.board = board;
        this.janitorRuns = janitorRuns;
        this.farm = farm;
        this.arches = arches;
        this.config = config;
    }

    @GET
    @Operation(summary = "Dashboard: every repository's builder images, the farm (workers, queues, brokers) and the janitor (HTML)")
    public TemplateInstance overview(@QueryParam("repository") String repository) {
        String only = only(repository);
        Predicate<String> readable = readable(only);
        Instant now = Instant.now();
        List<Overview.RepositoryRow> rows = Overview.of(book.snapshot(), board, arches, readable, now);
        return Templates.overview(rows, janitorRuns.latest(), farm.view(arches, readable, now), only, config.registry(), now);
    }

    @GET
    @Path("farm")
    @Operation(summary = "Dashboard: the farm section alone: workers alive and what they build, each arch's queue lag, "
            + "the brokers in sync (HTML fragment)")
    public TemplateInstance farm(@QueryParam("repository") String repository) {
        return Templates.farm(farm.view(arches, readable(only(repository)), Instant.now()));
    }

    /** The one repository asked for, checked and readable by the caller; null for all. */
    private String only(String repository) {
        if (repository == null || repository.isBlank()) {
            access.requireReader();
            return null;
        }
        String only = SourceRepository.parse(repository).toString();
        access.requireRead(only);
        return only;
    }

    /** What the page may show: the one repository, else every one the caller may read. */
    private Predicate<String> readable(String only) {
        return only != null ? only::equalsIgnoreCase : access.readFilter();
    }

    @GET
    @Path("images/{versionHash}")
    @Operation(summary = "Dashboard: one version hash, its inputs, timelines, digests and failures (HTML)")
    public TemplateInstance image(@PathParam("versionHash") String versionHash, @QueryParam("repository") String repository) {
        if (!VersionHash.isValid(versionHash)) {
            throw new BadRequestException("invalid-version-hash", "invalid version hash '" + versionHash
                    + "': expected 16 lower-case hex characters");
        }
        if (repository == null || repository.isBlank()) {
            throw new BadRequestException("missing-repository", "the repository query parameter is required (OWNER/NAME)");
        }
        SourceRepository repo = SourceRepository.parse(repository);
        access.requireRead(repo.toString());
        Instant now = Instant.now();
        ImageDetail detail = ImageDetail.of(book::get, board, config.registry(), repo, new VersionHash(versionHash), arches, now);
        return Templates.image(detail, config.registry(), now);
    }
}
