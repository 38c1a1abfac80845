package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.core.signature.SignatureClaims;
import io.imagefarm.core.signature.Signer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Beyond the seed: once every configured arch of a hash is BUILT or EXISTS, push an OCI index
 * {@code builder-<hash>} over the per-arch images, so CI on any runner can use one tag, then record
 * it on the index ref's status with each platform's digests. A per-arch tag is an index of the image and
 * its provenance (or, built before provenance, the image manifest itself): the multi-arch index holds each
 * platform's image manifest and its attestation manifest, as buildx lays out a multi-platform build,
 * checked by {@link ArchImage}. Pushing the same children gives the same digest, so two replicas
 * assembling at once do no harm.
 */
public final class IndexAssembler {

    public static final String VERSION_HASH_ANNOTATION = "io.imagefarm.version-hash";

    private final List<Arch> arches;
    private final RegistryLookup registry;
    private final ManifestReader reader;
    private final IndexWriter writer;
    private final StatusBook book;
    private final Publisher publisher;
    private final ImageLocks locks;
    private final Executor executor;
    private final Clock clock;
    private final Consumer<Throwable> onError;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    /** Signs each assembled index and its platform manifests; empty when no key is configured. */
    private final Optional<Signer> signer;
    private final ScheduledExecutorService retries;
    private final Retry retry;

    /**
     * After a transient failure (the registry or Kafka briefly away) assembly is tried again by itself,
     * with backoff from {@code initial} doubling to {@code max}, for {@code budget} in all: the index must
     * not wait for the next request to come.
     */
    public record Retry(Duration initial, Duration max, Duration budget) {
        public static final Retry DEFAULT = new Retry(Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofMinutes(10));
    }

    /** An assembler that signs nothing. */
    public IndexAssembler(List<Arch> arches, RegistryLookup registry, ManifestReader reader, IndexWriter writer, StatusBook book,
                          Publisher publisher, ImageLocks locks, Executor executor, Clock clock, Consumer<Throwable> onError,
                          ScheduledExecutorService retries, Retry retry) {
        this(arches, registry, reader, writer, book, publisher, locks, executor, clock, onError, retries, retry, Optional.empty());
    }

    /**
     * @param retries runs the retries of a transient failure
     * @param signer  signs each index once it is pushed (the index digest and each platform manifest's), before
     *                the index is recorded BUILT: READY then means signed; empty when no key is configured
     */
    public IndexAssembler(List<Arch> arches, RegistryLookup registry, ManifestReader reader, IndexWriter writer, StatusBook book,
                          Publisher publisher, ImageLocks locks, Executor executor, Clock clock, Consumer<Throwable> onError,
                          ScheduledExecutorService retries, Retry retry, Optional<Signer> signer) {
        this.signer = signer;
        this.retries = retries;
        this.retry = retry;
        this.arches = List.copyOf(arches);
        this.registry = registry;
        this.reader = reader;
        this.writer = writer;
        this.book = book;
        this.publisher = publisher;
        this.locks = locks;
        this.executor = executor;
        this.clock = clock;
        this.onError = onError;
    }

    /** Whether assembled indexes are signed (a key is configured and not empty): READY then needs the signature. */
    public boolean signs() {
        return signer.isPresent();
    }

    /** Hashes waiting for assembly at most (the executor's queue); each hash is queued once at a time. */
    public static final int QUEUE_CAPACITY = 1000;

    private volatile boolean replaying;

    /**
     * While the status topic is replayed at start-up, statuses trigger no assembly: most of their
     * indexes were assembled long ago, and the index records come later in the replay. {@link #replayed()}
     * ends it and assembles what the history really left incomplete.
     */
    public void holdDuringReplay() {
        replaying = true;
    }

    /** The replay reached the end offsets seen at start-up: check every hash the book knows, once. */
    public void replayed() {
        replaying = false;
        book.snapshot().stream()
                .filter(s -> !s.isIndex() && s.state().available() && s.versionHash() != null)
                .forEach(this::onStatus);
    }

    /** Status listener: a per-arch image became available; maybe its hash is complete now. */
    public void onStatus(ImageStatus status) {
        if (replaying || status.isIndex() || !status.state().available() || status.versionHash() == null) {
            return;
        }
        ImageRef image = ImageRef.parse(status.image());
        check(image.withTag(ImageCoordinates.BUILDER_TAG_PREFIX + status.versionHash()), status.repository(), status.versionHash());
    }

    /** The last commit a resolve named for an index ref, for its signature when no arch records one; bounded. */
    private final Map<String, String> lastCommit = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > QUEUE_CAPACITY;
                }
            });

    /** {@link #check(ImageRef, String, String)} for a resolve of {@code commit}, which a signature may name. */
    public void check(ImageRef index, String repository, String versionHash, String commit) {
        if (commit != null) {
            lastCommit.put(index.toString(), commit);
        }
        check(index, repository, versionHash);
    }

    /** Assembles the index of {@code index} (a {@code builder-<hash>} ref) if all arches are there and it is not yet. */
    public void check(ImageRef index, String repository, String versionHash) {
        boolean complete = arches.stream().allMatch(a -> book.get(perArch(index, a).toString())
                .map(s -> s.state().available()).orElse(false));
        if (!complete) {
            return;
        }
        Optional<ImageStatus> known = book.get(index.toString());
        if (known.isPresent() && known.get().state() == BuildState.BUILT && known.get().digest() != null
                && (signer.isEmpty() || known.get().signature() != null)) {
            return; // assembled (and signed, when a key is configured; one assembled before is signed now)
        }
        if (!inProgress.add(index.toString())) {
            return;
        }
        try {
            executor.execute(() -> attempt(index, repository, versionHash, retry.initial(), clock.instant().plus(retry.budget())));
        } catch (RejectedExecutionException full) {
            inProgress.remove(index.toString());
            onError.accept(new IllegalStateException("index assembly queue full (" + QUEUE_CAPACITY + "): " + index
                    + " is assembled on the next status or resolve of its hash"));
        }
    }

    private void attempt(ImageRef index, String repository, String versionHash, Duration backoff, Instant giveUpAt) {
        try {
            assemble(index, repository, versionHash);
            inProgress.remove(index.toString());
        } catch (RuntimeException e) {
            onError.accept(e);
            if (isTransient(e) && clock.instant().plus(backoff).isBefore(giveUpAt)) {
                Duration next = backoff.multipliedBy(2).compareTo(retry.max()) > 0 ? retry.max() : backoff.multipliedBy(2);
                retries.schedule(() -> {
                    try {
                        executor.execute(() -> attempt(index, repository, versionHash, next, giveUpAt));
                    } catch (RejectedExecutionException full) {
                        inProgress.remove(index.toString());
                    }
                }, backoff.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                inProgress.remove(index.toString());
            }
        }
    }

    private static boolean isTransient(RuntimeException e) {
        return (e instanceof RegistryException r && r.isTransient()) || e instanceof PublishFailedException;
    }

    private void assemble(ImageRef index, String repository, String versionHash) {
        List<Descriptor> children = new ArrayList<>();
        Map<String, ImageStatus.PlatformDigests> platforms = new TreeMap<>();
        for (Arch arch : arches) {
            ImageRef image = perArch(index, arch);
            ManifestHead head = recordedOrTagged(image).orElseThrow(() -> new InvalidArchImageException("cannot assemble "
                    + index + ": " + image + " is missing from the registry"));
            ArchImage entries = ArchImage.of(image, arch, head, () -> reader.manifest(image.withDigest(head.digest())));
            children.addAll(entries.entries());
            platforms.put(arch.id(), new ImageStatus.PlatformDigests(entries.image().digest(),
                    entries.attestation() == null ? null : entries.attestation().digest()));
        }
        Manifest manifest = Manifest.index(children, Map.of(VERSION_HASH_ANNOTATION, versionHash));
        String digest = writer.putIndex(index, manifest);
        String signedCommit = signer.isPresent() ? commitOf(index) : null;
        String signature = signer.map(s -> s.signIndex(index.repo(), digest, manifest,
                new SignatureClaims(repository, signedCommit, versionHash)).get(0).tag()).orElse(null);
        // Staged under the index's lock, committed outside it: no lock is held while Kafka works. A resolve
        // in between already sees BUILT (the index is in the registry by now).
        ImageStatus built;
        ImageStatus previous;
        java.util.concurrent.CompletableFuture<Void> committed;
        try (ImageLocks.Held held = locks.lock(List.of(index.toString()))) {
            Instant now = clock.instant();
            previous = book.get(index.toString()).orElse(null);
            Instant lastRequested = previous != null ? previous.lastRequestedAt() : null;
            built = ImageStatus.index(index.toString(), repository, versionHash, BuildState.BUILT, digest, platforms,
                    signature, signedCommit, lastRequested, now);
            committed = publisher.submit(new Publication(List.of(), List.of(built)));
            book.apply(built);
        }
        try {
            Publisher.await(committed);
        } catch (PublishFailedException e) {
            try (ImageLocks.Held held = locks.lock(List.of(index.toString()))) {
                book.revert(built, previous);
            }
            throw e;
        }
    }

    /**
     * Off the request path, every revalidate-interval: a signed index whose tag still holds the recorded
     * digest, but whose signature (or a platform manifest's) is gone from the registry, deleted by hand or by
     * a registry's own cleanup, is signed again. Otherwise CI's verify would refuse an image the status API
     * calls READY. The index itself is not pushed again: its recorded digest is what CI was handed.
     * Indexes moved or gone are the resolver's revalidation's verdicts (TAG_MOVED, forgotten), not this.
     *
     * The signatures name the commit the index status recorded when it was signed; only a status written
     * before statuses carried it falls back to what is known now, which after a restart may be nothing.
     *
     * @return the index refs signed again, and those that could not be (with why): a registry refusing the
     *         write, or an old status whose commit is no longer known
     */
    public SignatureRestore restoreSignatures() {
        if (signer.isEmpty()) {
            return new SignatureRestore(List.of(), Map.of());
        }
        List<String> restored = new ArrayList<>();
        Map<String, String> failed = new TreeMap<>();
        for (ImageStatus status : book.snapshot()) {
            if (!status.isIndex() || status.state() != BuildState.BUILT || status.signature() == null
                    || status.digest() == null || inProgress.contains(status.image())) {
                continue;
            }
            ImageRef index = ImageRef.parse(status.image());
            try {
                if (!registry.head(index).map(h -> h.digest().equals(status.digest())).orElse(false)) {
                    continue;
                }
                List<String> digests = new ArrayList<>(List.of(status.digest()));
                if (status.platforms() != null) {
                    status.platforms().values().forEach(p -> digests.add(p.image()));
                }
                if (digests.stream().allMatch(d -> signer.get().hasSignature(index.repo(), d))) {
                    continue;
                }
                Manifest manifest = reader.manifest(index.withDigest(status.digest()))
                        .orElseThrow(() -> new InvalidArchImageException("cannot sign " + index + " again: "
                                + status.digest() + " is gone from the registry")).manifest();
                signer.get().signIndex(index.repo(), status.digest(), manifest,
                        new SignatureClaims(status.repository(),
                                status.commit() != null ? status.commit() : commitOf(index), status.versionHash()));
                restored.add(status.image());
            } catch (RuntimeException e) {
                failed.put(status.image(), e.getMessage());
            }
        }
        return new SignatureRestore(List.copyOf(restored), Map.copyOf(failed));
    }

    /** What {@link #restoreSignatures} did: the indexes signed again, and why the others could not be. */
    public record SignatureRestore(List<String> signedAgain, Map<String, String> failed) {
    }

    /**
     * The commit a signature names: the one a worker built and verified an arch from (BUILT records it),
     * else the last commit resolved to this hash (images found in the registry record none).
     */
    private String commitOf(ImageRef index) {
        return arches.stream().map(a -> book.get(perArch(index, a).toString()).map(ImageStatus::commit).orElse(null))
                .filter(java.util.Objects::nonNull).findFirst()
                .or(() -> Optional.ofNullable(lastCommit.get(index.toString())))
                .orElseThrow(() -> new InvalidArchImageException("cannot sign " + index
                        + ": no commit is known for it (no arch records one, and no resolve named one yet)"));
    }

    /**
     * The per-arch image as its status recorded it (the digest the worker pushed and verified), when the
     * registry still has that digest; else what the tag points at. Right after a push the tag can flap (the
     * engine puts the image, its attestation and the index under the tag again from its store), and two
     * replicas reading it then would assemble different indexes, each recording its own digest.
     */
    private Optional<ManifestHead> recordedOrTagged(ImageRef image) {
        Optional<ManifestHead> tagged = registry.head(image);
        String recorded = book.get(image.toString()).map(ImageStatus::digest).orElse(null);
        if (recorded == null || tagged.map(h -> h.digest().equals(recorded)).orElse(false)) {
            return tagged;
        }
        Optional<ManifestHead> byDigest = registry.head(image.withDigest(recorded));
        return byDigest.isPresent() ? byDigest : tagged;
    }

    private static ImageRef perArch(ImageRef index, Arch arch) {
        return index.withTag(index.tag() + "-" + arch.id());
    }
}
