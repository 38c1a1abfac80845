package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.ManifestHead;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The hasher's decision, as the seed's {@code init} + "check if image exists" steps make it, once for
 * many CI jobs: hash the repository files, then for each configured arch either
 * <ul>
 *   <li>publish nothing, because a request for that image is in flight and younger than the TTL;</li>
 *   <li>record EXISTS, because the registry has it (an index or a manifest);</li>
 *   <li>publish an {@link ImageRequired} event and a REQUESTED status.</li>
 * </ul>
 * Every resolve also records when the hash was last requested (the index ref's status), which the
 * janitor's retention by use reads. Plain Java: the ports are the registry, the status book and the
 * publisher.
 */
public final class ImageResolver {

    /**
     * @param registry    where builder images live, e.g. ghcr.io
     * @param arches      the arches every image is built for
     * @param inFlightTtl how long a REQUESTED status (queued, no worker on it yet) suppresses new requests
     * @param failureTtl  how long a permanent failure is answered as is, publishing nothing
     * @param heartbeat   workers publish BUILDING this often while they build; three missed beats
     *                    and the build counts as abandoned (a later resolve requests it again)
     */
    public record Settings(String registry, List<Arch> arches, Duration inFlightTtl, Duration failureTtl, Duration heartbeat) {

        public static final int MISSED_BEATS = 3;

        /** How long a BUILDING status stays alive without a new beat. */
        public Duration buildingAlive() {
            return heartbeat.multipliedBy(MISSED_BEATS);
        }
    }

    private final Settings settings;
    private final RegistryLookup registry;
    private final StatusBook book;
    private final Publisher publisher;
    private final ImageLocks locks;
    private final Clock clock;

    public ImageResolver(Settings settings, RegistryLookup registry, StatusBook book, Publisher publisher,
                         ImageLocks locks, Clock clock) {
        this.settings = settings;
        this.registry = registry;
        this.book = book;
        this.publisher = publisher;
        this.locks = locks;
        this.clock = clock;
    }

    /** Hash only: no registry, no Kafka. */
    public static Resolution hashOnly(String registryHost, List<Arch> arches, ResolveRequest request) {
        VersionInputs inputs = VersionHasher.inputs(request.files());
        VersionHash hash = VersionHasher.hash(inputs);
        ImageCoordinates c = ImageCoordinates.of(registryHost, request.repository(), hash);
        List<ArchResolution> perArch = arches.stream()
                .map(a -> new ArchResolution(a.id(), c.image(a).toString(), c.cache(a).toString(), null, null, false, false))
                .toList();
        return new Resolution(request.repository().toString(), request.commit(), hash.value(), inputs,
                c.imageBase().toString(), c.cacheBase().toString(), perArch);
    }

    public Resolution resolve(ResolveRequest request) {
        VersionInputs inputs = VersionHasher.inputs(request.files());
        VersionHash hash = VersionHasher.hash(inputs);
        ImageCoordinates c = ImageCoordinates.of(settings.registry(), request.repository(), hash);

        List<String> keys = new ArrayList<>();
        keys.add(c.index().toString());
        settings.arches().forEach(a -> keys.add(c.image(a).toString()));

        try (ImageLocks.Held held = locks.lock(keys)) {
            Instant now = clock.instant();
            List<ImageRequired> events = new ArrayList<>();
            List<ImageStatus> statuses = new ArrayList<>();
            List<ArchResolution> results = new ArrayList<>();
            for (Arch arch : settings.arches()) {
                results.add(decide(request, inputs, hash, c, arch, now, events, statuses));
            }
            statuses.add(usage(request, hash, c, now));
            publisher.publish(new Publication(events, statuses));
            statuses.forEach(book::apply);
            return new Resolution(request.repository().toString(), request.commit(), hash.value(), inputs,
                    c.imageBase().toString(), c.cacheBase().toString(), results);
        }
    }

    private ArchResolution decide(ResolveRequest request, VersionInputs inputs, VersionHash hash, ImageCoordinates c,
                                  Arch arch, Instant now, List<ImageRequired> events, List<ImageStatus> statuses) {
        ImageRef image = c.image(arch);
        ImageRef cache = c.cache(arch);
        Optional<ImageStatus> known = book.get(image.toString());
        if (known.isPresent() && rememberedFailure(known.get(), now)) {
            // The same inputs fail the same way: answer the failure instead of running the broken build again,
            // until the hash changes, an admin retries it, or failure-ttl passes.
            ImageStatus failed = known.get();
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), BuildState.FAILED, null, false, false,
                    failed.failure(), failed.reason(), failed.logTail());
        }
        if (known.isPresent() && alive(image.toString(), known.get(), now)) {
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), known.get().state(), null, false, true);
        }
        Optional<ManifestHead> head = registry.head(image);
        if (head.isPresent()) {
            String digest = head.get().digest();
            boolean alreadyKnown = known.isPresent() && known.get().state().available() && digest.equals(known.get().digest());
            if (!alreadyKnown) {
                statuses.add(ImageStatus.exists(image.toString(), request.repository().toString(), hash.value(), arch.id(),
                        digest, null, now));
            }
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), BuildState.EXISTS, digest, false, false);
        }
        ImageRequired event = new ImageRequired(ImageRequired.SCHEMA_VERSION, UUID.randomUUID().toString(),
                request.repository().toString(), request.commit(), request.sourceUrl(), hash.value(), inputs,
                image.toString(), cache.toString(), arch.platform(), HashInputs.DOCKERFILE, ".", now);
        events.add(event);
        statuses.add(ImageStatus.requested(event));
        return new ArchResolution(arch.id(), image.toString(), cache.toString(), BuildState.REQUESTED, null, true, false);
    }

    private boolean rememberedFailure(ImageStatus status, Instant now) {
        return status.state() == BuildState.FAILED && status.failure() != null && !status.failure().isTransient()
                && age(status, now).compareTo(settings.failureTtl()) < 0;
    }

    /** Someone is on it: queued within the in-flight TTL, or building with a heartbeat within three beats. */
    private boolean alive(String key, ImageStatus status, Instant now) {
        return switch (status.state()) {
            case REQUESTED -> age(status, now).compareTo(settings.inFlightTtl()) < 0;
            case BUILDING -> age(status, now).compareTo(settings.buildingAlive()) < 0;
            default -> false;
        };
    }

    /** Measured on this replica's clock from when it took the status in, not from another host's updatedAt. */
    private Duration age(ImageStatus status, Instant now) {
        return Duration.between(book.receivedAt(status.image()).orElse(status.updatedAt()), now);
    }

    /**
     * Forgets the remembered failures of a version hash (an admin's retry): the FAILED statuses of its
     * arches are removed from the compacted status topic, so the next resolve requests the builds again.
     *
     * @return the arches whose failure was forgotten
     */
    public List<String> forgetFailures(io.imagefarm.core.image.SourceRepository repository, VersionHash hash) {
        ImageCoordinates c = ImageCoordinates.of(settings.registry(), repository, hash);
        List<String> keys = settings.arches().stream().map(a -> c.image(a).toString()).toList();
        try (ImageLocks.Held held = locks.lock(keys)) {
            List<String> failed = keys.stream()
                    .filter(k -> book.get(k).map(s -> s.state() == BuildState.FAILED).orElse(false)).toList();
            publisher.publish(new Publication(List.of(), List.of(), failed));
            failed.forEach(book::remove);
            return settings.arches().stream().filter(a -> failed.contains(c.image(a).toString())).map(Arch::id).toList();
        }
    }

    /** The index ref's record: keeps what is known about the index, stamps the last request. */
    private ImageStatus usage(ResolveRequest request, VersionHash hash, ImageCoordinates c, Instant now) {
        Optional<ImageStatus> index = book.get(c.index().toString());
        BuildState state = index.map(ImageStatus::state).orElse(BuildState.REQUESTED);
        String digest = index.map(ImageStatus::digest).orElse(null);
        return ImageStatus.index(c.index().toString(), request.repository().toString(), hash.value(), state, digest, now, now);
    }
}
