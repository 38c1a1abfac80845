package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.registry.FetchedManifest;
import io.imagefarm.core.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The multi-arch index: one level over each platform's image and attestation, whatever the per-arch tags are
 * (provenance indexes, or plain manifests of older builds); and after a registry blip, pushed by itself.
 */
class IndexAssemblerTest {

    static final String HASH = "0123456789abcdef";
    static final ImageRef INDEX = ImageRef.parse("127.0.0.1:5000/acme/widget:builder-" + HASH);

    final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    final StatusBook book = new StatusBook(new ChangeWaiters(4));
    final List<Publication> published = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        retries.shutdownNow();
    }

    static ImageStatus built(Arch arch) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, INDEX + "-" + arch.id(), "acme/widget", HASH, arch.id(),
                BuildState.BUILT, "sha256:" + arch.id().charAt(0) + "0".repeat(63), null, null, null, null, 1, 1, "e", null, Instant.now());
    }

    IndexAssembler assembler(AtomicInteger registryDownFor) {
        RegistryLookup registry = image -> image.tag() == null ? Optional.empty() : Optional.of(new ManifestHead(
                "sha256:" + image.tag().charAt(image.tag().length() - 5) + "1".repeat(63), "application/vnd.oci.image.manifest.v1+json", 500));
        IndexWriter writer = (index, manifest) -> {
            if (registryDownFor.getAndDecrement() > 0) {
                throw new RegistryException("registry unavailable: 503", 503, "UNAVAILABLE");
            }
            return "sha256:" + "9".repeat(64);
        };
        return new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), registry, ref -> Optional.empty(), writer, book, p -> { published.add(p); return java.util.concurrent.CompletableFuture.completedFuture(null); }, new ImageLocks(4),
                Runnable::run, Clock.systemUTC(), e -> { }, retries,
                new IndexAssembler.Retry(Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofSeconds(10)));
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        AtomicInteger heads = new AtomicInteger();
        IndexAssembler assembler = new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), image -> {
                    if (image.tag() != null) { // the recorded digest is looked up too: count the tag's lookups
                        heads.incrementAndGet();
                    }
                    return Optional.empty();
                }, ref -> Optional.empty(),
                (index, manifest) -> "sha256:" + "9".repeat(64), book, p -> { published.add(p); return java.util.concurrent.CompletableFuture.completedFuture(null); }, new ImageLocks(4), Runnable::run,
                Clock.systemUTC(), e -> { }, retries, new IndexAssembler.Retry(Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofSeconds(10)));
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));

        assembler.check(INDEX, "acme/widget", HASH); // the arch images are missing from the registry: not transient

        // one look, no retries (the retry backoff is 20 ms), nothing published
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> heads.get() == 1 && published.isEmpty());
    }

    @Test
    void aTransientRegistryFailureIsRetriedUntilTheIndexIsPushed() {
        IndexAssembler assembler = assembler(new AtomicInteger(3));
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));

        assembler.check(INDEX, "acme/widget", HASH);

        await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
        assertThat(published).singleElement().satisfies(p ->
                assertThat(p.statuses()).singleElement().satisfies(s -> {
                    assertThat(s.state()).isEqualTo(BuildState.BUILT);
                    assertThat(s.digest()).isEqualTo("sha256:" + "9".repeat(64));
                }));
    }

    // ------------------------------------------------------------------ signing

    /** Signature manifests and blobs as a registry keeps them, in maps. */
    static final class SignatureStore implements io.imagefarm.core.signature.ContentWriter {
        final Map<String, byte[]> manifests = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, byte[]> blobs = new java.util.concurrent.ConcurrentHashMap<>();
        /** While set, every write fails as a registry answering 503 would. */
        volatile boolean refuseWrites;

        @Override
        public Optional<Fetched> manifest(ImageRef ref) {
            byte[] body = manifests.get(ref.repo() + " " + ref.reference());
            return body == null ? Optional.empty()
                    : Optional.of(new Fetched(sha256(body), Manifest.parse(body, null)));
        }

        @Override
        public byte[] blob(io.imagefarm.core.image.Repository repository, String digest) {
            return Optional.ofNullable(blobs.get(repository + " " + digest))
                    .orElseThrow(() -> new RegistryException("blob " + digest + " not found", 404, "BLOB_UNKNOWN"));
        }

        @Override
        public String pushBlob(io.imagefarm.core.image.Repository repository, byte[] content) {
            refuseIfAsked();
            String digest = sha256(content);
            blobs.put(repository + " " + digest, content);
            return digest;
        }

        @Override
        public String putManifest(ImageRef tag, String mediaType, byte[] body) {
            refuseIfAsked();
            manifests.put(tag.repo() + " " + tag.reference(), body);
            return sha256(body);
        }

        private void refuseIfAsked() {
            if (refuseWrites) {
                throw new RegistryException("registry unavailable: 503", 503, "UNAVAILABLE");
            }
        }
    }

    static java.security.KeyPair p256() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void aSigningAssemblerRecordsTheIndexBuiltOnlyOnceItAndEachPlatformManifestAreSignedWithTheClaims() throws Exception {
        java.security.KeyPair keys = p256();
        SignatureStore signatures = new SignatureStore();
        io.imagefarm.core.signature.Signer signer = signer(keys, signatures);
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        IndexAssembler assembler = assembler(registry, (index, manifest) -> sha256(manifest.toJson()), signer);
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));

        assembler.check(INDEX, "acme/widget", HASH, "c".repeat(40));

        ImageStatus index = book.get(INDEX.toString()).orElseThrow();
        assertThat(index.state()).isEqualTo(BuildState.BUILT);
        assertThat(index.signature()).isEqualTo("sha256-" + index.digest().substring(7) + ".sig");
        io.imagefarm.core.signature.SignatureVerifier verifier = verifier(keys, signatures);
        io.imagefarm.core.signature.ExpectedClaims claims = io.imagefarm.core.signature.ExpectedClaims.of(
                new io.imagefarm.core.signature.SignatureClaims("acme/widget", "c".repeat(40), HASH));
        List<String> signed = new java.util.ArrayList<>(List.of(index.digest()));
        index.platforms().values().forEach(p -> signed.add(p.image()));
        assertThat(signed).containsExactly(index.digest(), digest('a'), digest('c'));
        for (String digest : signed) {
            assertThat(verifier.verify(INDEX.repo(), digest, claims).digest()).isEqualTo(digest);
        }
    }

    @Test
    void anIndexAssembledBeforeAKeyWasConfiguredIsSignedOnTheNextCheck() throws Exception {
        SignatureStore signatures = new SignatureStore();
        io.imagefarm.core.signature.Signer signer = signer(p256(), signatures);
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));
        book.apply(ImageStatus.index(INDEX.toString(), "acme/widget", HASH, BuildState.BUILT, "sha256:" + "9".repeat(64),
                Instant.now(), Instant.now()));
        IndexAssembler assembler = assembler(registry, (index, manifest) -> sha256(manifest.toJson()), signer);

        assembler.check(INDEX, "acme/widget", HASH, "c".repeat(40));

        assertThat(book.get(INDEX.toString()).orElseThrow().signature()).isNotNull();
        assertThat(signatures.manifests).hasSize(3);
    }

    @Test
    void aSignatureDeletedFromTheRegistryIsSignedAgainOnlyWhileTheIndexTagHoldsTheRecordedDigest() throws Exception {
        java.security.KeyPair keys = p256();
        SignatureStore signatures = new SignatureStore();
        io.imagefarm.core.signature.Signer signer = signer(keys, signatures);
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        java.util.concurrent.atomic.AtomicInteger pushes = new java.util.concurrent.atomic.AtomicInteger();
        IndexAssembler assembler = assembler(registry, (index, manifest) -> {
                    pushes.incrementAndGet();
                    registry.put(index, manifest);
                    return sha256(manifest.toJson());
                }, signer);
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));
        assembler.check(INDEX, "acme/widget", HASH, "c".repeat(40));
        ImageStatus index = book.get(INDEX.toString()).orElseThrow();
        int published = this.published.size();
        assertThat(assembler.restoreSignatures().signedAgain()).as("every signature is there").isEmpty();

        signatures.manifests.remove(INDEX.repo() + " " + index.signature());
        signatures.manifests.remove(INDEX.repo() + " sha256-" + "c".repeat(64) + ".sig");

        IndexAssembler.SignatureRestore restore = assembler.restoreSignatures();
        assertThat(restore.signedAgain()).containsExactly(INDEX.toString());
        assertThat(restore.failed()).isEmpty();
        io.imagefarm.core.signature.SignatureVerifier verifier = verifier(keys, signatures);
        io.imagefarm.core.signature.ExpectedClaims claims = io.imagefarm.core.signature.ExpectedClaims.of(
                new io.imagefarm.core.signature.SignatureClaims("acme/widget", "c".repeat(40), HASH));
        for (String digest : List.of(index.digest(), digest('a'), digest('c'))) {
            assertThat(verifier.verify(INDEX.repo(), digest, claims).digest()).isEqualTo(digest);
        }
        assertThat(pushes).as("the index is not pushed again").hasValue(1);
        assertThat(this.published).as("nothing is published: the status already names the signature").hasSize(published);

        // the registry refusing the signature: reported per index, not as an assembly failure (onError throws)
        signatures.manifests.remove(INDEX.repo() + " " + index.signature());
        signatures.refuseWrites = true;
        restore = assembler.restoreSignatures();
        assertThat(restore.signedAgain()).isEmpty();
        assertThat(restore.failed()).containsOnlyKeys(INDEX.toString());
        assertThat(restore.failed().get(INDEX.toString())).contains("503");
        signatures.refuseWrites = false;

        // a tag pushed over is the resolver's TAG_MOVED, never signed
        registry.put(INDEX, provenanceIndex('e', 'f', Arch.AMD64));
        assertThat(assembler.restoreSignatures().signedAgain()).isEmpty();
        assertThat(signatures.manifests).doesNotContainKey(INDEX.repo() + " " + index.signature());
    }

    @Test
    void afterARestartAnIndexOfExistingArchesIsSignedAgainForTheCommitItsStatusRecorded() throws Exception {
        java.security.KeyPair keys = p256();
        SignatureStore signatures = new SignatureStore();
        io.imagefarm.core.signature.Signer signer = signer(keys, signatures);
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        IndexWriter writer = (index, manifest) -> {
            registry.put(index, manifest);
            return sha256(manifest.toJson());
        };
        // before the restart: the arches found in the registry (EXISTS records no commit), a resolve names one
        book.apply(exists(Arch.AMD64));
        book.apply(exists(Arch.ARM64));
        assembler(registry, writer, signer).check(INDEX, "acme/widget", HASH, "c".repeat(40));
        ImageStatus index = book.get(INDEX.toString()).orElseThrow();
        assertThat(index.commit()).as("the commit the signatures name").isEqualTo("c".repeat(40));
        signatures.manifests.remove(INDEX.repo() + " " + index.signature());

        // after it: a new assembler over the same statuses (the compacted topic), no resolve yet
        IndexAssembler.SignatureRestore restore = assembler(registry, writer, signer).restoreSignatures();

        assertThat(restore.failed()).isEmpty();
        assertThat(restore.signedAgain()).containsExactly(INDEX.toString());
        io.imagefarm.core.signature.SignatureVerifier verifier = verifier(keys, signatures);
        assertThat(verifier.verify(INDEX.repo(), index.digest(), io.imagefarm.core.signature.ExpectedClaims.of(
                new io.imagefarm.core.signature.SignatureClaims("acme/widget", "c".repeat(40), HASH))).digest())
                .isEqualTo(index.digest());
    }

    private static io.imagefarm.core.signature.Signer signer(java.security.KeyPair keys, SignatureStore signatures) {
        return new io.imagefarm.core.signature.Signer(
                io.imagefarm.core.signature.SigningKey.fromPem(pem("PRIVATE KEY", keys.getPrivate().getEncoded()), "test key"),
                signatures);
    }

    private static io.imagefarm.core.signature.SignatureVerifier verifier(java.security.KeyPair keys, SignatureStore signatures) {
        return new io.imagefarm.core.signature.SignatureVerifier(
                io.imagefarm.core.signature.VerificationKey.fromPem(pem("PUBLIC KEY", keys.getPublic().getEncoded()), "test key"),
                signatures);
    }

    private IndexAssembler assembler(Registry registry, IndexWriter writer, io.imagefarm.core.signature.Signer signer) {
        return new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), registry::head, registry::get, writer, book,
                p -> { published.add(p); return java.util.concurrent.CompletableFuture.completedFuture(null); },
                new ImageLocks(4), Runnable::run, Clock.systemUTC(), e -> { throw new AssertionError(e); }, retries,
                IndexAssembler.Retry.DEFAULT, Optional.of(signer));
    }

    static ImageStatus exists(Arch arch) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, INDEX + "-" + arch.id(), "acme/widget", HASH, arch.id(),
                BuildState.EXISTS, "sha256:" + arch.id().charAt(0) + "0".repeat(63), null, null, null, null, null, null, "e",
                null, Instant.now());
    }

    // ------------------------------------------------------------------ per-arch indexes with provenance

    static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    /** Per-arch tags as a fake registry serves them: HEAD and GET by digest, and the pushed index. */
    static final class Registry {
        final Map<String, FetchedManifest> byTag = new HashMap<>();
        final Map<String, FetchedManifest> byDigest = new HashMap<>();
        final List<Manifest> pushed = new CopyOnWriteArrayList<>();

        void put(ImageRef tag, Manifest manifest) {
            byte[] body = manifest.toJson();
            FetchedManifest fetched = new FetchedManifest(sha256(body), manifest.mediaType(), body, manifest);
            byTag.put(tag.tag(), fetched);
            byDigest.put(fetched.digest(), fetched);
        }

        Optional<ManifestHead> head(ImageRef ref) {
            return Optional.ofNullable(ref.digest() != null ? byDigest.get(ref.digest()) : byTag.get(ref.tag()))
                    .map(f -> new ManifestHead(f.digest(), f.mediaType(), f.body().length));
        }

        Optional<FetchedManifest> get(ImageRef ref) {
            return Optional.ofNullable(byDigest.get(ref.digest()));
        }

        IndexAssembler assembler(StatusBook book, List<Publication> published, ScheduledExecutorService retries) {
            return new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), this::head, this::get, (index, manifest) -> {
                pushed.add(manifest);
                return sha256(manifest.toJson());
            }, book, p -> {
                published.add(p);
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }, new ImageLocks(4), Runnable::run, Clock.systemUTC(), e -> { }, retries,
                    new IndexAssembler.Retry(Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofSeconds(10)));
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    static Descriptor image(char c, Arch arch) {
        return new Descriptor(MediaTypes.OCI_MANIFEST, digest(c), 700, new Descriptor.Platform(arch.id(), "linux", null), null);
    }

    static Descriptor attestation(char c, String attests) {
        return new Descriptor(MediaTypes.OCI_MANIFEST, digest(c), 566, new Descriptor.Platform("unknown", "unknown", null),
                Map.of(Manifests.REFERENCE_TYPE_ANNOTATION, Manifests.ATTESTATION_MANIFEST,
                        Manifests.REFERENCE_DIGEST_ANNOTATION, attests));
    }

    /** A per-arch index as buildx --provenance pushes it. */
    static Manifest provenanceIndex(char image, char attestation, Arch arch) {
        return Manifest.index(List.of(image(image, arch), attestation(attestation, digest(image))),
                Map.of("io.imagefarm.version-hash", HASH));
    }

    static Manifest plainManifest(char config) {
        return new Manifest(2, MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, digest(config), 300, null, null),
                List.of(new Descriptor(LAYER, digest('f'), 1000, null, null)), null, null);
    }

    static ImageRef perArch(Arch arch) {
        return INDEX.withTag(INDEX.tag() + "-" + arch.id());
    }

    @Test
    void theIndexIsAssembledFromTheDigestsTheWorkersRecordedNotFromATagThatFlapsAfterAPush() {
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        String recordedAmd = registry.byTag.get(perArch(Arch.AMD64).tag()).digest();
        String recordedArm = registry.byTag.get(perArch(Arch.ARM64).tag()).digest();
        // right after the push the amd64 tag points at the bare image manifest for a moment
        registry.put(perArch(Arch.AMD64), plainManifest('e'));
        book.apply(withDigest(built(Arch.AMD64), recordedAmd));
        book.apply(withDigest(built(Arch.ARM64), recordedArm));

        registry.assembler(book, published, retries).check(INDEX, "acme/widget", HASH);

        assertThat(registry.pushed).singleElement().satisfies(index -> assertThat(index.children()).extracting(Descriptor::digest)
                .containsExactly(digest('a'), digest('b'), digest('c'), digest('d')));
    }

    static ImageStatus withDigest(ImageStatus s, String digest) {
        return new ImageStatus(s.schemaVersion(), s.image(), s.repository(), s.versionHash(), s.arch(), s.state(), digest, null, null,
                null, null, 1, 1, "e", null, s.updatedAt());
    }

    @Test
    void perArchProvenanceIndexesGiveOneIndexOfEachPlatformsImageAndItsAttestationNeverANestedIndex() {
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));

        registry.assembler(book, published, retries).check(INDEX, "acme/widget", HASH);

        assertThat(registry.pushed).singleElement().satisfies(index -> {
            assertThat(index.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(index.annotations()).containsExactly(Map.entry(IndexAssembler.VERSION_HASH_ANNOTATION, HASH));
            assertThat(index.children()).extracting(Descriptor::digest)
                    .containsExactly(digest('a'), digest('b'), digest('c'), digest('d'));
            assertThat(index.children()).extracting(Descriptor::mediaType).containsOnly(MediaTypes.OCI_MANIFEST);
            assertThat(index.children().get(0).platform()).isEqualTo(new Descriptor.Platform("amd64", "linux", null));
            assertThat(index.children().get(1).platform()).isEqualTo(new Descriptor.Platform("unknown", "unknown", null));
            assertThat(index.children().get(1).annotations()).containsOnly(
                    Map.entry("vnd.docker.reference.type", "attestation-manifest"),
                    Map.entry("vnd.docker.reference.digest", digest('a')));
            assertThat(index.children().get(3).annotations()).containsEntry("vnd.docker.reference.digest", digest('c'));
            assertThat(Manifests.attestations(index)).containsOnly(Map.entry(digest('b'), digest('a')),
                    Map.entry(digest('d'), digest('c')));
        });
        ImageStatus indexStatus = published.get(0).statuses().get(0);
        assertThat(indexStatus.digest()).isEqualTo(sha256(registry.pushed.get(0).toJson()));
        assertThat(indexStatus.platforms()).containsOnly(
                Map.entry("amd64", new ImageStatus.PlatformDigests(digest('a'), digest('b'))),
                Map.entry("arm64", new ImageStatus.PlatformDigests(digest('c'), digest('d'))));
        assertThat(book.get(INDEX.toString())).hasValueSatisfying(s -> assertThat(s.platforms()).hasSize(2));
    }

    @Test
    void plainManifestsOfOlderBuildsAreTakenAsTheyAreBesideAProvenanceIndex() {
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), plainManifest('1'));
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.ARM64));
        String plainDigest = registry.byTag.get(perArch(Arch.AMD64).tag()).digest();
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));

        registry.assembler(book, published, retries).check(INDEX, "acme/widget", HASH);

        assertThat(registry.pushed).singleElement().satisfies(index ->
                assertThat(index.children()).extracting(Descriptor::digest).containsExactly(plainDigest, digest('c'), digest('d')));
        assertThat(published.get(0).statuses().get(0).platforms()).containsOnly(
                Map.entry("amd64", new ImageStatus.PlatformDigests(plainDigest, null)),
                Map.entry("arm64", new ImageStatus.PlatformDigests(digest('c'), digest('d'))));
    }

    @Test
    void aPerArchIndexThatIsNotOneImageOfItsPlatformIsNotAssembledNorRetried() {
        Registry registry = new Registry();
        registry.put(perArch(Arch.AMD64), provenanceIndex('a', 'b', Arch.AMD64));
        // arm64's tag holds the amd64 image: it must never be served as arm64
        registry.put(perArch(Arch.ARM64), provenanceIndex('c', 'd', Arch.AMD64));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        IndexAssembler assembler = new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), registry::head, registry::get,
                (index, manifest) -> { registry.pushed.add(manifest); return "sha256:" + "9".repeat(64); }, book,
                p -> { published.add(p); return java.util.concurrent.CompletableFuture.completedFuture(null); },
                new ImageLocks(4), Runnable::run, Clock.systemUTC(), errors::add, retries,
                new IndexAssembler.Retry(Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofSeconds(10)));
        book.apply(built(Arch.AMD64));
        book.apply(built(Arch.ARM64));

        assembler.check(INDEX, "acme/widget", HASH);

        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> errors.size() == 1);
        assertThat(errors.get(0)).isInstanceOf(InvalidArchImageException.class).hasMessageContaining("not linux/arm64");
        assertThat(registry.pushed).isEmpty();
        assertThat(published).isEmpty();
    }
}
