package io.imagefarm.hasher.board;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.SourceRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The dashboard's page for one version hash: why the image exists (its inputs and commit), per arch
 * the timeline of its steps with durations, digests (the per-arch tag's, and the image and provenance the index
 * holds for the arch), cache ref and any failure with its log tail, the multi-arch index, and the refs to pull
 * (the index pinned by digest once it is assembled). Plain Java, made from the status book and the {@link BuildBoard}.
 */
public record ImageDetail(String repository, String versionHash, String commit, Map<String, String> inputs,
                          List<ArchDetail> arches, IndexDetail index) {

    /** One step of the timeline; {@code took} is the time until the next step (or until now for the last). */
    public record StepView(String state, Instant at, Duration took) {
    }

    /**
     * Timings in milliseconds, null when the worker reported none. {@code digest} is the per-arch tag's (an index
     * of the image and its provenance, or the image itself when built without); {@code platformDigest} and
     * {@code attestationDigest} are what the multi-arch index holds for the arch, once it is assembled.
     */
    public record ArchDetail(String arch, String image, String cache, BuildState state, String digest, List<StepView> steps,
                             Long fetchMillis, Long buildMillis, Long pushMillis, Integer cachedSteps, Integer totalSteps,
                             String failure, String reason, String logTail, String platformDigest, String attestationDigest) {

        public String stateName() {
            return state == null ? "UNKNOWN" : state.name();
        }
    }

    /** @param failure the index fails only as TAG_MOVED (pushed over outside imagefarm), with its reason */
    public record IndexDetail(String image, BuildState state, String digest, String failure, String reason) {

        public String stateName() {
            return state == null ? "UNKNOWN" : state.name();
        }
    }

    public static ImageDetail of(Function<String, Optional<ImageStatus>> book, BuildBoard board, String registry,
                                 SourceRepository repository, VersionHash hash, List<Arch> arches, Instant now) {
        ImageCoordinates c = ImageCoordinates.of(registry, repository, hash);
        String commit = null;
        Map<String, String> inputs = new LinkedHashMap<>();
        List<ArchDetail> details = new ArrayList<>();
        Optional<ImageStatus> index = book.apply(c.index().toString());
        Map<String, ImageStatus.PlatformDigests> platforms = index.map(ImageStatus::platforms).orElse(Map.of());
        for (Arch arch : arches) {
            String image = c.image(arch).toString();
            Optional<ImageStatus> status = book.apply(image);
            List<BuildBoard.Step> steps = board.timeline(image);
            List<StepView> views = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Instant end = i + 1 < steps.size() ? steps.get(i + 1).at() : null;
                BuildBoard.Step step = steps.get(i);
                Duration took = end != null ? Duration.between(step.at(), end)
                        : step.state().inFlight() ? Duration.between(step.at(), now) : null;
                views.add(new StepView(step.state().name(), step.at(), took));
            }
            ImageStatus s = status.orElse(null);
            if (s != null && s.commit() != null && commit == null) {
                commit = s.commit();
            }
            if (s != null && s.inputs() != null && inputs.isEmpty()) {
                inputs.putAll(s.inputs().asMap());
            }
            details.add(new ArchDetail(arch.id(), image, c.cache(arch).toString(), s == null ? null : s.state(),
                    s == null ? null : s.digest(), views,
                    s == null || s.timings() == null ? null : s.timings().fetchMillis(),
                    s == null || s.timings() == null ? null : s.timings().buildMillis(),
                    s == null || s.timings() == null ? null : s.timings().pushMillis(),
                    s == null ? null : s.cachedSteps(), s == null ? null : s.totalSteps(),
                    s == null || s.failure() == null ? null : s.failure().name(), s == null ? null : s.reason(),
                    s == null ? null : s.logTail(),
                    platforms.containsKey(arch.id()) ? platforms.get(arch.id()).image() : null,
                    platforms.containsKey(arch.id()) ? platforms.get(arch.id()).attestation() : null));
        }
        return new ImageDetail(repository.toString(), hash.value(), commit, inputs, details,
                new IndexDetail(c.index().toString(), index.map(ImageStatus::state).orElse(null),
                        index.map(ImageStatus::digest).orElse(null),
                        index.map(ImageStatus::failure).map(Enum::name).orElse(null), index.map(ImageStatus::reason).orElse(null)));
    }

    /** Whether anything at all is known about this hash. */
    public boolean known() {
        return index.state() != null || arches.stream().anyMatch(a -> a.state() != null);
    }
}
