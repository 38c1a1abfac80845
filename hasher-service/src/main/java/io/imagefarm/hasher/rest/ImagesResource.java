package io.imagefarm.hasher.rest;

import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.edge.BadRequestException;
import io.imagefarm.edge.TooManyRequestsException;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.core.auth.Action;
import io.imagefarm.hasher.resolve.ChangeWaiters;
import io.imagefarm.hasher.resolve.ImageResolver;
import io.imagefarm.hasher.resolve.IndexAssembler;
import io.imagefarm.hasher.rest.ImagesView;
import io.imagefarm.hasher.resolve.StatusBook;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Build status per version hash, and the long-poll CI calls before it uses the image. */
@Path("/api/v1/images/{versionHash}")
@Produces(MediaType.APPLICATION_JSON)
public class ImagesResource {

    private final StatusBook book;
    private final HasherConfig config;
    private final List<Arch> arches;
    private final Access access;
    private final ImageResolver resolver;
    /** Whether READY needs a signature: the assembler signs (a key file that is set but empty signs nothing). */
    private final IndexAssembler assembler;

    public ImagesResource(StatusBook book, HasherConfig config, List<Arch> arches, Access access, ImageResolver resolver,
                          IndexAssembler assembler) {
        this.assembler = assembler;
        this.access = access;
        this.resolver = resolver;
        this.book = book;
        this.config = config;
        this.arches = arches;
    }

    @GET
    @Operation(summary = "Per-arch status of a version hash")
    public ImagesView status(@PathParam("versionHash") String versionHash, @QueryParam("repository") String repository) {
        access.requireReader(); // 401 before the parameters are judged
        ImagesView view = view(versionHash, repository);
        access.requireRead(view.repository());
        return view;
    }

    /** What a retry forgot: the arches whose remembered failure is gone, so the next resolve builds them again. */
    public record RetryView(String repository, String versionHash, List<String> forgotten) {
    }

    @POST
    @Path("/retry")
    @Operation(summary = "Forget the remembered failures of a version hash (admin); the next resolve requests the builds again")
    public RetryView retry(@PathParam("versionHash") String versionHash, @QueryParam("repository") String repository) {
        access.authenticated();
        ImagesView view = view(versionHash, repository);
        SourceRepository repo = SourceRepository.parse(view.repository());
        access.require(Action.RETRY, repo, Optional.empty());
        return new RetryView(view.repository(), view.versionHash(), resolver.forgetFailures(repo, new VersionHash(view.versionHash())));
    }

    @GET
    @Path("/wait")
    @Operation(summary = "Wait until every arch is BUILT or EXISTS, or one FAILED, or the timeout (ISO-8601 or seconds) passes")
    public CompletionStage<ImagesView> await(@PathParam("versionHash") String versionHash,
                                             @QueryParam("repository") String repository,
                                             @QueryParam("timeout") String timeout) {
        access.requireReader();
        Duration wait = timeout(timeout); // judged even when the answer needs no waiting
        ImagesView first = view(versionHash, repository);
        access.requireRead(first.repository());
        if (first.settled() || !book.knows(first.versionHash())) {
            // Nothing is being built for an unknown hash: answer now rather than hold a waiter for it.
            return CompletableFuture.completedFuture(first);
        }
        Instant deadline = Instant.now().plus(wait);
        return awaitSettled(first.versionHash(), repository, deadline);
    }

    private CompletionStage<ImagesView> awaitSettled(String versionHash, String repository, Instant deadline) {
        // Register for the next change before looking, so a change in between is not missed.
        ChangeWaiters.Waiter waiter = book.waiters().register(versionHash).orElseThrow(() -> new TooManyRequestsException("too-many-waiters",
                "too many requests are waiting on this replica (imagefarm.hasher.await.max-waiters); retry shortly", 5));
        ImagesView now;
        try {
            now = view(versionHash, repository);
        } catch (RuntimeException e) {
            waiter.close();
            throw e;
        }
        long remaining = Duration.between(Instant.now(), deadline).toMillis();
        if (now.settled() || remaining <= 0) {
            waiter.close();
            return CompletableFuture.completedFuture(now.settled() ? now : now.timedOut());
        }
        return waiter.changed().copy()
                .completeOnTimeout(null, remaining, TimeUnit.MILLISECONDS)
                .whenComplete((ignored, error) -> waiter.close())
                .thenCompose(ignored -> awaitSettled(versionHash, repository, deadline));
    }

    private ImagesView view(String versionHash, String repository) {
        if (!VersionHash.isValid(versionHash)) {
            throw new BadRequestException("invalid-version-hash", "invalid version hash '" + versionHash + "': expected 16 lower-case hex characters");
        }
        if (repository == null || repository.isBlank()) {
            throw new BadRequestException("missing-repository", "query parameter 'repository' (OWNER/NAME) is required");
        }
        return ImagesView.of(book, config.registry(), SourceRepository.parse(repository), new VersionHash(versionHash), arches,
                assembler.signs());
    }

    private Duration timeout(String text) {
        Duration wanted;
        if (text == null || text.isBlank()) {
            wanted = config.await().defaultTimeout();
        } else {
            try {
                wanted = text.matches("\\d{1,12}") ? Duration.ofSeconds(Long.parseLong(text)) : Duration.parse(text);
            } catch (DateTimeParseException | ArithmeticException e) {
                wanted = null;
            }
            if (wanted == null || wanted.isNegative()) {
                throw new BadRequestException("invalid-timeout", "invalid timeout: expected seconds (0 to 999999999999) "
                        + "or a non-negative ISO-8601 duration like PT10M");
            }
        }
        return wanted.compareTo(config.await().maxTimeout()) > 0 ? config.await().maxTimeout() : wanted;
    }
}
