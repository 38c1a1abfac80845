package io.imagefarm.hasher.rest;

import io.imagefarm.hasher.resolve.StatusBook;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.SourceRepository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What CI sees of one version hash: each arch's latest status and the index. {@code outcome} is
 * READY when every arch is BUILT or EXISTS <em>and</em> the multi-arch index {@code builder-<hash>} is
 * too (CI runs its jobs in the index, so READY before it exists would race into "manifest unknown"),
 * and, when a signing key is configured, the index's signature exists,
 * FAILED when one failed (or a tag was pushed over: TAG_MOVED), PENDING while anything is in flight, UNKNOWN when nothing was ever
 * requested or the janitor deleted it since (DELETED); the wait endpoint adds TIMEOUT.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImagesView(String repository, String versionHash, Outcome outcome, List<ArchView> arches, ArchView index,
                         SignatureView signature) {

    public enum Outcome { READY, FAILED, PENDING, UNKNOWN, TIMEOUT }

    /**
     * Whether the index is signed: {@code signed} with the signature's tag ({@code sha256-<hex>.sig}, in the
     * index's repository), or not, with the reason (no key configured, or not signed yet).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SignatureView(boolean signed, String tag, String reason) {

        static SignatureView of(boolean signingRequired, Optional<ImageStatus> index) {
            String tag = index.map(ImageStatus::signature).orElse(null);
            if (tag != null) {
                return new SignatureView(true, tag, null);
            }
            return new SignatureView(false, null, signingRequired ? "not signed yet"
                    : "no signing key is configured (imagefarm.hasher.signing.key-file): images are not signed");
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** @param platforms the index's: by arch, the image manifest and attestation digests it holds (what is signed) */
    public record ArchView(String arch, String image, BuildState state, String digest, String failure, String reason,
                           String logTail, ImageStatus.BuildTimings timings, Integer cachedSteps, Integer totalSteps,
                           Instant updatedAt, Instant lastRequestedAt, Map<String, ImageStatus.PlatformDigests> platforms) {

        static ArchView of(String arch, String image, Optional<ImageStatus> status) {
            return status.map(s -> new ArchView(arch, image, s.state(), s.digest(), s.failure() == null ? null : s.failure().name(),
                            s.reason(), s.logTail(), s.timings(), s.cachedSteps(), s.totalSteps(), s.updatedAt(), s.lastRequestedAt(),
                            s.platforms()))
                    .orElse(new ArchView(arch, image, null, null, null, null, null, null, null, null, null, null, null));
        }
    }

    /** @param signingRequired a signing key is configured: READY also needs the index's signature */
    public static ImagesView of(StatusBook book, String registry, SourceRepository repository, VersionHash hash, List<Arch> arches,
                                boolean signingRequired) {
        ImageCoordinates c = ImageCoordinates.of(registry, repository, hash);
        List<ArchView> views = arches.stream()
                .map(a -> ArchView.of(a.id(), c.image(a).toString(), book.get(c.image(a).toString())))
                .toList();
        Optional<ImageStatus> indexStatus = book.get(c.index().toString());
        ArchView index = ArchView.of(null, c.index().toString(), indexStatus);
        SignatureView signature = SignatureView.of(signingRequired, indexStatus);
        Outcome outcome = outcome(views, index);
        if (outcome == Outcome.READY && signingRequired && !signature.signed()) {
            outcome = Outcome.PENDING; // never READY with a signature it does not have
        }
        return new ImagesView(repository.toString(), hash.value(), outcome, views, index, signature);
    }

    public boolean settled() {
        return outcome == Outcome.READY || outcome == Outcome.FAILED;
    }

    public ImagesView timedOut() {
        return new ImagesView(repository, versionHash, Outcome.TIMEOUT, arches, index, signature);
    }

    private static Outcome outcome(List<ArchView> views, ArchView index) {
        if (views.stream().anyMatch(v -> v.state() == BuildState.FAILED) || index.state() == BuildState.FAILED) {
            return Outcome.FAILED; // the index fails only as TAG_MOVED: pushed over, never READY
        }
        if (views.stream().allMatch(v -> v.state() != null && v.state().available())) {
            return index.state() != null && index.state().available() ? Outcome.READY : Outcome.PENDING;
        }
        if (views.stream().allMatch(v -> v.state() == null || v.state() == BuildState.DELETED)) {
            return Outcome.UNKNOWN; // never requested, or pruned since: a resolve requests it again
        }
        return Outcome.PENDING;
    }
}
