package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
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
import io.imagefarm.core.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The hasher's decision, as the seed's {@code init} + "check if image exists" steps make it, once for
 * many CI jobs: hash the repository files, then for each configured arch either
 * <ul>
 *   <li>answer from memory, because the status book knows the image as available (BUILT or EXISTS;
 *   a deletion arrives as DELETED, and {@link #revalidate} re-checks the registry off the request path);</li>
 *   <li>publish nothing, because a request for that image is in flight (queued within the in-flight
 *   TTL, or building with recent heartbeats) or failed permanently a short while ago;</li>
 *   <li>record EXISTS, because the registry has it (an index or a manifest);</li>
 *   <li>propose a request: an {@link ImageRequired} on the requests topic, which the {@link RequestDecider}
 *   of the replica owning the arch's partition turns into the image-required event and its REQUESTED
 *   status, unless another replica's proposal came first. The request answers once that decision is
 *   in this replica's book.</li>
 * </ul>
 * The hot path holds no lock across a network call: registry lookups run first, in parallel and
 * shared between concurrent requests for the same image; then the short check-and-stage step runs
 * under the image's locks; the publication is committed by the {@link Publisher} (batched with other
 * requests' publications). A concurrent request of this replica for the same image proposes nothing
 * and waits for the same decision; a failed commit fails both (503), and statuses written through to
 * the book are taken back.
 * Every hash's last use (the index ref's lastRequestedAt, for the janitor's retention) is stamped at
 * most once per {@code usageInterval} per replica. Plain Java: the ports are the registry, the status
 * book and the publisher.
 */
public final class ImageResolver {

    /**
     * @param registry      where builder images live, e.g. ghcr.io
     * @param arches        the arches every image is built for
     * @param inFlightTtl   how long a REQUESTED status (queued, no worker on it yet) suppresses new requests
     * @param failureTtl    how long a permanent failure is answered as is, publishing nothing
     * @param heartbeat     workers publish BUILDING this often while they build; three missed beats
     *                      and the build counts as abandoned (a later resolve requests it again)
     * @param usageInterval a hash's last use is stamped at most this often per replica
     */
    /** @param registryDeadline how long a resolve waits for its registry lookups; past it, 503 registry-unavailable */
    public record Settings(String registry, List<Arch> arches, Duration inFlightTtl, Duration failureTtl, Duration heartbeat,
                           Duration usageInterval, Duration decisionTimeout, Duration registryDeadline) {

        public static final int MISSED_BEATS = 3;

        /** How long a BUILDING status stays alive without a new beat. */
        public Duration buildingAlive() {
            return heartbeat.multipliedBy(MISSED_BEATS);
        }
    }

    private static final Logger LOG = Logger.getLogger(ImageResolver.class);

    private final Settings settings;
    private final RegistryLookup registry;
    private final StatusBook book;
    private final Publisher publisher;
    private final ImageLocks locks;
    private final Clock clock;
    private final Executor lookups;
    /** Registry lookups in progress, shared by concurrent requests for the same image. */
    private final Map<String, CompletableFuture<Optional<ManifestHead>>> headsInFlight = new ConcurrentHashMap<>();
    /** Proposals of this replica not decided yet, by image ref: a concurrent request waits for the same decision. */
    private final Map<String, Proposal> undecided = new ConcurrentHashMap<>();
    private final BookRules rules;
    /** When this replica last stamped a hash's use, by index ref (on its own clock). */
    private final Map<String, Instant> stamped = new ConcurrentHashMap<>();

    /** @param lookups runs registry lookups; a resolve's arches are looked up in parallel on it */
    public ImageResolver(Settings settings, RegistryLookup registry, StatusBook book, Publisher publisher,
                         ImageLocks locks, Clock clock, Executor lookups) {
        this.settings = settings;
        this.registry = registry;
        this.book = book;
        this.publisher = publisher;
        this.locks = locks;
        this.clock = clock;
        this.lookups = lookups;
        this.rules = new BookRules(book, settings.inFlightTtl(), settings.failureTtl(), settings.buildingAlive());
        book.onChange(this::decided);
    }

    /**
     * When a resolve answers. {@link #DECIDED}: once every new request's decision is in this replica's book
     * (CI's resolve, whose answer says what was published and what is building). {@link #PROPOSED}: once
     * every new request's proposal is durable on the requests topic, before its decision (a webhook: GitHub
     * reads only the status code, and a durable proposal is decided even if this replica dies). This saves
     * the decision's two Kafka hops (decider, status topic) on the sender's clock.
     */
    public enum Until { DECIDED, PROPOSED }

    /**
     * A proposal waiting for its decider: {@code durable} completes when its publication is committed,
     * {@code decision} with the first status the book takes for the image.
     */
    private record Proposal(String eventId, CompletableFuture<Void> durable, CompletableFuture<ImageStatus> decision) {
    }

    /** One arch of a request whose answer is a decision still to come. */
    private record Awaited(int index, Arch arch, ImageRef image, ImageRef cache, Proposal proposal, boolean own) {
    }

    /** Book listener: a status for an image with an undecided proposal is its decision (a DELETED is not). */
    private void decided(ImageStatus status) {
        Proposal p = undecided.get(status.image());
        if (p != null && status.state() != BuildState.DELETED) {
            p.decision().complete(status);
        }
    }

    public BookRules rules() {
        return rules;
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

    /** Answers once the decisions are in: {@link Until#DECIDED}. */
    public Resolution resolve(ResolveRequest request) {
        return resolve(request, Until.DECIDED);
    }

    public Resolution resolve(ResolveRequest request, Until until) {
        VersionInputs inputs = VersionHasher.inputs(request.files());
        VersionHash hash = VersionHasher.hash(inputs);
        ImageCoordinates c = ImageCoordinates.of(settings.registry(), request.repository(), hash);

        List<String> keys = new ArrayList<>();
        keys.add(c.index().toString());
        settings.arches().forEach(a -> keys.add(c.image(a).toString()));

        Map<Arch, Optional<ManifestHead>> heads = new EnumMap<>(Arch.class);
        while (true) {
            // 1. The registry, for what the book cannot answer: in parallel, no lock held.
            heads.putAll(lookUp(c, needingRegistry(c, heads, clock.instant())));
            // 2. Check and stage under the image's locks; if the book changed meanwhile so that another
            //    arch needs the registry, look that up first (each round adds one at least).
            Staged staged;
            List<ArchResolution> results = new ArrayList<>();
            try (ImageLocks.Held held = locks.lock(keys)) {
                Instant now = clock.instant();
                if (!needingRegistry(c, heads, now).isEmpty()) {
                    continue;
                }
                List<ImageRequired> events = new ArrayList<>();
                List<ImageStatus> statuses = new ArrayList<>();
                List<Awaited> awaited = new ArrayList<>();
                for (Arch arch : settings.arches()) {
                    results.add(decide(request, inputs, hash, c, arch, heads.get(arch), now, events, statuses, awaited,
                            results.size()));
                }
                boolean stamp = stampDue(c.index().toString(), now);
                if (stamp) {
                    statuses.add(usage(request, hash, c, now));
                }
                staged = stage(new Publication(events, statuses), awaited, stamp ? c.index().toString() : null, now);
            }
            // 3. Wait for Kafka and the decisions, outside the lock.
            await(staged, keys);
            for (Awaited a : staged.awaited()) {
                results.set(a.index(), until == Until.DECIDED ? decision(a) : proposed(a));
            }
            return new Resolution(request.repository().toString(), request.commit(), hash.value(), inputs,
                    c.imageBase().toString(), c.cacheBase().toString(), results);
        }
    }

    /** The arches whose image the book cannot answer for (unknown, deleted, abandoned or forgettable failure), not yet looked up. */
    private List<Arch> needingRegistry(ImageCoordinates c, Map<Arch, Optional<ManifestHead>> looked, Instant now) {
        return settings.arches().stream()
                .filter(a -> !looked.containsKey(a))
                .filter(a -> book.get(c.image(a).toString()).map(s -> !answeredFromBook(s, now)).orElse(true))
                .toList();
    }

    private boolean answeredFromBook(ImageStatus known, Instant now) {
        return rules.answers(known, now);
    }

    private Map<Arch, Optional<ManifestHead>> lookUp(ImageCoordinates c, List<Arch> arches) {
        Map<Arch, CompletableFuture<Optional<ManifestHead>>> futures = new EnumMap<>(Arch.class);
        for (Arch arch : arches) {
            ImageRef image = c.image(arch);
            String key = image.toString();
            CompletableFuture<Optional<ManifestHead>> head = headsInFlight.computeIfAbsent(key,
                    k -> CompletableFuture.supplyAsync(() -> registry.head(image), lookups));
            // Registered outside computeIfAbsent: a lookup that is already done is removed at once, never kept.
            head.whenComplete((r, e) -> headsInFlight.remove(key, head));
            futures.put(arch, head);
        }
        Map<Arch, Optional<ManifestHead>> heads = new EnumMap<>(Arch.class);
        long deadline = System.nanoTime() + settings.registryDeadline().toNanos();
        futures.forEach((arch, f) -> heads.put(arch, join(f, deadline, c.image(arch))));
        return heads;
    }

    /**
     * A lookup's answer, or a transient {@link RegistryException} once the resolve's registry deadline has
     * passed: a registry that does not answer (frozen, a black-holed network) must not hold a CI job for the
     * client's timeouts and retries. The lookup itself goes on, and a later resolve may share its answer.
     */
    private <T> T join(CompletableFuture<T> future, long deadline, ImageRef image) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new RegistryException("the registry did not answer the lookup of " + image + " within "
                    + settings.registryDeadline() + " (imagefarm.hasher.registry-deadline)", 0, "DEADLINE");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while looking up " + image, 0, "INTERRUPTED");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new CompletionException(e.getCause());
        }
    }

    private ArchResolution decide(ResolveRequest request, VersionInputs inputs, VersionHash hash, ImageCoordinates c,
                                  Arch arch, Optional<ManifestHead> head, Instant now, List<ImageRequired> events,
                                  List<ImageStatus> statuses, List<Awaited> awaited, int index) {
        ImageRef image = c.image(arch);
        ImageRef cache = c.cache(arch);
        Optional<ImageStatus> known = book.get(image.toString());
        if (known.isPresent() && rules.rememberedFailure(known.get(), now)) {
            // The same inputs fail the same way: answer the failure instead of running the broken build again,
            // until the hash changes, an admin retries it, or failure-ttl passes.
            ImageStatus failed = known.get();
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), BuildState.FAILED, null, false, false,
                    failed.failure(), failed.reason(), failed.logTail());
        }
        if (known.isPresent() && rules.alive(known.get(), now)) {
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), known.get().state(), null, false, true);
        }
        if (head == null && known.isPresent() && known.get().state().available()) {
            // From memory: the book knows it is there (the janitor's DELETED would say otherwise).
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), BuildState.EXISTS, known.get().digest(),
                    false, false);
        }
        String replaces = null;
        if (head != null && head.isPresent() && distrusted(known, head.get().digest())) {
            // The tag still points at what was pushed over it, and the failure was retried (or forgotten):
            // rebuild over it instead of taking it as EXISTS.
            replaces = head.get().digest();
        } else if (head != null && head.isPresent()) {
            String digest = head.get().digest();
            boolean alreadyKnown = known.isPresent() && known.get().state().available() && digest.equals(known.get().digest());
            if (!alreadyKnown) {
                statuses.add(ImageStatus.exists(image.toString(), request.repository().toString(), hash.value(), arch.id(),
                        digest, null, now));
            }
            return new ArchResolution(arch.id(), image.toString(), cache.toString(), BuildState.EXISTS, digest, false, false);
        }
        Proposal pending = undecided.get(image.toString());
        if (pending != null) { // proposed by a concurrent request of this replica: answer with its decision
            awaited.add(new Awaited(index, arch, image, cache, pending, false));
            return null;
        }
        ImageRequired event = new ImageRequired(ImageRequired.SCHEMA_VERSION, UUID.randomUUID().toString(),
                request.repository().toString(), request.commit(), request.sourceUrl(), hash.value(), inputs,
                image.toString(), cache.toString(), arch.platform(), HashInputs.DOCKERFILE, ".", now, replaces);
        Proposal mine = new Proposal(event.eventId(), new CompletableFuture<>(), new CompletableFuture<>());
        undecided.put(image.toString(), mine);
        // Forgotten once decided, failed or timed out, whether or not a request still waits for it
        // (a PROPOSED answer does not wait).
        mine.decision().orTimeout(settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((status, failure) -> undecided.remove(image.toString(), mine));
        events.add(event);
        awaited.add(new Awaited(index, arch, image, cache, mine, true));
        return null;
    }

    /**
     * Whether the registry's {@code digest} for an image is one the pipeline does not stand behind: the
     * digest a TAG_MOVED verdict found, or one an admin's retry of that verdict retired (DELETED with it).
     */
    private static boolean distrusted(Optional<ImageStatus> known, String digest) {
        return known.isPresent() && digest.equals(known.get().digest())
                && (known.get().state() == BuildState.DELETED
                || (known.get().state() == BuildState.FAILED && known.get().failure() == FailureKind.TAG_MOVED));
    }

    /** The decision on a proposal, as this arch's answer: published when it was this request's own proposal that won. */
    private ArchResolution decision(Awaited a) {
        ImageStatus decided;
        try {
            decided = a.proposal().decision().get(settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException timeout) {
                throw undecidedInTime(a, timeout);
            }
            throw e.getCause() instanceof PublishFailedException p ? p
                    : new PublishFailedException("the request for " + a.image() + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw undecidedInTime(a, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while waiting for the decision on " + a.image(), e);
        }
        boolean published = a.own() && a.proposal().eventId().equals(decided.requestEventId());
        return new ArchResolution(a.arch().id(), a.image().toString(), a.cache().toString(), decided.state(), decided.digest(),
                published, !published, decided.state() == BuildState.FAILED ? decided.failure() : null,
                decided.state() == BuildState.FAILED ? decided.reason() : null,
                decided.state() == BuildState.FAILED ? decided.logTail() : null);
    }

    private PublishFailedException undecidedInTime(Awaited a, TimeoutException e) {
        return new PublishFailedException("the request for " + a.image() + " was queued, but no decision reached this "
                + "replica within " + settings.decisionTimeout() + "; retry shortly", e);
    }

    /**
     * A durable proposal, as this arch's answer before its decision: REQUESTED and pending. Its own
     * proposal's commit was awaited already; a concurrent one of this replica is awaited here, since
     * answering on a proposal that then fails to commit would lose the request.
     */
    private ArchResolution proposed(Awaited a) {
        if (!a.own()) {
            try {
                a.proposal().durable().get(settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof PublishFailedException p ? p
                        : new PublishFailedException("the request for " + a.image() + " failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new PublishFailedException("a concurrent request for " + a.image() + " was not committed within "
                        + settings.decisionTimeout() + "; retry shortly", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishFailedException("interrupted while waiting for the request for " + a.image(), e);
            }
        }
        return new ArchResolution(a.arch().id(), a.image().toString(), a.cache().toString(), BuildState.REQUESTED, null,
                a.own(), !a.own(), null, null, null, true);
    }

    private boolean stampDue(String indexKey, Instant now) {
        Instant last = stamped.get(indexKey);
        return last == null || !last.plus(settings.usageInterval()).isAfter(now);
    }

    /** Under the locks: submit the publication and write it through to the book, remembering what it replaced. */
    private Staged stage(Publication publication, List<Awaited> awaited, String stampKey, Instant now) {
        if (publication.isEmpty()) {
            return new Staged(null, publication, Map.of(), awaited, null);
        }
        CompletableFuture<Void> committed;
        try {
            committed = publisher.submit(publication);
        } catch (RuntimeException e) {
            committed = CompletableFuture.failedFuture(e);
        }
        Map<String, ImageStatus> replaced = new HashMap<>();
        for (ImageStatus status : publication.statuses()) {
            replaced.put(status.image(), book.get(status.image()).orElse(null));
            book.apply(status);
        }
        if (stampKey != null) {
            stamped.put(stampKey, now); // taken back if the commit fails
        }
        return new Staged(committed, publication, replaced, awaited, stampKey);
    }

    /** A staged decision: the own publication's commit and any concurrent one this request deduplicated against. */
    private record Staged(CompletableFuture<Void> committed, Publication publication, Map<String, ImageStatus> replaced,
                          List<Awaited> awaited, String stampKey) {
    }

    /** Outside the lock: the own commit (taken back if it fails), then any concurrent one this request relies on. */
    private void await(Staged staged, List<String> keys) {
        if (staged.committed() != null) {
            try {
                Publisher.await(staged.committed());
            } catch (PublishFailedException e) {
                takeBack(staged, keys);
                for (Awaited a : staged.awaited()) {
                    if (a.own()) { // a concurrent request waiting for this proposal fails too
                        a.proposal().durable().completeExceptionally(e);
                        a.proposal().decision().completeExceptionally(e);
                        undecided.remove(a.image().toString(), a.proposal());
                    }
                }
                throw e;
            }
        }
        for (Awaited a : staged.awaited()) {
            if (a.own()) {
                a.proposal().durable().complete(null);
            }
        }
    }

    /** Nothing was published: the book goes back to what it said, so the next resolve decides afresh. */
    private void takeBack(Staged staged, List<String> keys) {
        try (ImageLocks.Held held = locks.lock(keys)) {
            for (ImageStatus status : staged.publication().statuses()) {
                book.revert(status, staged.replaced().get(status.image()));
            }
            if (staged.stampKey() != null) {
                stamped.remove(staged.stampKey());
            }
        }
    }

    /** What a revalidation found: tags gone from the registry (forgotten), tags pushed over (TAG_MOVED). */
    public record Revalidation(List<String> forgotten, List<String> moved) {
    }

    /**
     * Off the request path: asks the registry whether every image the book knows as available is still
     * there under the digest the pipeline recorded. One that is gone is forgotten (in memory), so the next
     * resolve requests it again. One whose tag points at another digest was pushed over outside imagefarm:
     * its FAILED status of kind {@link FailureKind#TAG_MOVED} is published, so no
     * replica serves it as READY and the dashboard shows it, until an admin's retry. The janitor's deletions
     * need none of this (they arrive as DELETED).
     */
    public Revalidation revalidate() {
        List<String> forgotten = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        for (ImageStatus status : book.snapshot()) {
            if (!status.state().available() || (status.isIndex() && status.digest() == null)) {
                continue;
            }
            ImageRef image = ImageRef.parse(status.image());
            Optional<ManifestHead> head;
            try {
                head = registry.head(image);
            } catch (RuntimeException e) {
                LOG.debugf("revalidation of %s skipped: %s", image, e.getMessage());
                continue;
            }
            if (head.isEmpty()) {
                try (ImageLocks.Held held = locks.lock(List.of(status.image()))) {
                    book.revert(book.get(status.image()).orElse(null), null);
                }
                forgotten.add(status.image());
            } else if (status.digest() != null && !status.digest().equals(head.get().digest())) {
                ImageStatus verdict = ImageStatus.tagMoved(status, head.get().digest(), clock.instant());
                try {
                    publisher.publish(new Publication(List.of(), List.of(verdict)));
                } catch (PublishFailedException e) {
                    LOG.warnf("revalidation found %s pushed over, but could not publish it (tried again next time): %s",
                            image, e.getMessage());
                    continue;
                }
                try (ImageLocks.Held held = locks.lock(List.of(status.image()))) {
                    book.apply(verdict);
                }
                moved.add(status.image());
            }
        }
        return new Revalidation(forgotten, moved);
    }

    /** Forgets usage stamps older than the usage interval (they would be due anyway): keeps the map bounded. */
    public void forgetOldStamps() {
        Instant cutoff = clock.instant().minus(settings.usageInterval());
        stamped.values().removeIf(at -> at.isBefore(cutoff));
    }

    /**
     * Forgets the remembered failures of a version hash (an admin's retry): the FAILED statuses of its
     * arches are removed from the compacted status topic, so the next resolve requests the builds again.
     * A TAG_MOVED verdict is not forgotten but retired: its status becomes DELETED with the digest that was
     * pushed over the tag, so the next resolve rebuilds over that digest instead of taking it as EXISTS.
     *
     * @return the arches whose failure was forgotten
     */
    public List<String> forgetFailures(io.imagefarm.core.image.SourceRepository repository, VersionHash hash) {
        ImageCoordinates c = ImageCoordinates.of(settings.registry(), repository, hash);
        List<String> keys = new ArrayList<>(settings.arches().stream().map(a -> c.image(a).toString()).toList());
        keys.add(c.index().toString());
        List<ImageStatus> failed;
        try (ImageLocks.Held held = locks.lock(keys)) {
            failed = keys.stream().map(book::get).flatMap(Optional::stream).filter(s -> s.state() == BuildState.FAILED).toList();
        }
        Instant now = clock.instant();
        List<ImageStatus> retired = failed.stream().filter(s -> s.failure() == FailureKind.TAG_MOVED)
                .map(s -> ImageStatus.deleted(s.image(), s.repository(), s.versionHash(), s.arch(), s.digest(), now))
                .toList();
        List<String> forgotten = failed.stream().filter(s -> s.failure() != FailureKind.TAG_MOVED)
                .map(ImageStatus::image).toList();
        publisher.publish(new Publication(List.of(), retired, forgotten));
        try (ImageLocks.Held held = locks.lock(keys)) {
            for (String key : forgotten) {
                book.get(key).filter(s -> s.state() == BuildState.FAILED).ifPresent(s -> book.remove(key));
            }
            retired.forEach(book::apply);
        }
        List<String> done = failed.stream().map(ImageStatus::image).toList();
        return settings.arches().stream().filter(a -> done.contains(c.image(a).toString())).map(Arch::id).toList();
    }

    /** The index ref's record: keeps what is known about the index, stamps the last request. */
    private ImageStatus usage(ResolveRequest request, VersionHash hash, ImageCoordinates c, Instant now) {
        Optional<ImageStatus> index = book.get(c.index().toString());
        if (index.isEmpty()) {
            return ImageStatus.index(c.index().toString(), request.repository().toString(), hash.value(),
                    BuildState.REQUESTED, null, now, now);
        }
        ImageStatus k = index.get(); // all it says (digest, platforms, signature, a TAG_MOVED failure) is kept
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, k.image(), request.repository().toString(), hash.value(), k.commit(),
                k.inputs(), k.arch(), k.state(), k.digest(), k.failure(), k.reason(), k.logTail(), k.timings(), k.cachedSteps(),
                k.totalSteps(), k.requestEventId(), now, now, k.platforms(), k.signature());
    }
}
