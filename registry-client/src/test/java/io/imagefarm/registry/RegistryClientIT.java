package io.imagefarm.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.registry.config.RegistryBeans;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.RegistrySeeder.Pushed;
import io.imagefarm.testsupport.SharedParts;
import io.imagefarm.testsupport.TokenServer;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared registry client against a real CNCF distribution registry. */
@QuarkusTest
class RegistryClientIT {

    LocalRegistry registry;
    RegistrySeeder seeder;
    RegistryClient client;
    String repo;
    Repository repository;

    @BeforeEach
    void setUp() {
        registry = SharedParts.registry();
        seeder = new RegistrySeeder(registry);
        client = new RegistryClient(settings("tags-page-size", "2"));
        repo = "acme/" + UUID.randomUUID().toString().substring(0, 8);
        repository = Repository.of(registry.host(), repo);
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    /** Settings from {@code imagefarm.registry.*} keys and values, the rest at their defaults. */
    static RegistryClientSettings settings(String... keysAndValues) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put("imagefarm.registry." + keysAndValues[i], keysAndValues[i + 1]);
        }
        return RegistryBeans.settings(properties);
    }

    static byte[] imageManifest(Descriptor config, List<Descriptor> layers) {
        return new Manifest(2, MediaTypes.OCI_MANIFEST, config, layers, null, null).toJson();
    }

    ImageRef ref(String tag) {
        return repository.tag(tag);
    }

    boolean exists(RegistryClient c, ImageRef image) {
        return c.headManifest(image).isPresent();
    }

    @Test
    void indexAndPlainManifestBothCountAsExisting() {
        Pushed amd = seeder.pushImage(repo, "builder-1-amd64", "amd64", Instant.now(), "a");
        Pushed arm = seeder.pushImage(repo, "builder-1-arm64", "arm64", Instant.now(), "b");
        Pushed index = seeder.pushIndex(repo, "builder-1", List.of(amd, arm));

        Optional<ManifestHead> manifest = client.headManifest(ref("builder-1-amd64"));
        Optional<ManifestHead> idx = client.headManifest(ref("builder-1"));

        assertThat(manifest).hasValueSatisfying(h -> {
            assertThat(h.digest()).isEqualTo(amd.digest());
            assertThat(h.isIndex()).isFalse();
        });
        assertThat(idx).hasValueSatisfying(h -> {
            assertThat(h.digest()).isEqualTo(index.digest());
            assertThat(h.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        });
    }

    @Test
    void missingTagIsEmptyAndTheAnswerIsNotCached() {
        assertThat(exists(client, ref("builder-2-amd64"))).isFalse();

        seeder.pushImage(repo, "builder-2-amd64", "amd64", Instant.now(), "c");

        assertThat(exists(client, ref("builder-2-amd64"))).isTrue();
    }

    @Test
    void indexChildrenAndConfigAreReadable() {
        Instant created = Instant.parse("2026-01-02T03:04:05Z");
        Pushed amd = seeder.pushImage(repo, "builder-3-amd64", "amd64", created, "d");
        seeder.pushIndex(repo, "builder-3", List.of(amd));

        FetchedManifest index = client.getManifest(ref("builder-3")).orElseThrow();
        assertThat(index.manifest().isIndex()).isTrue();
        assertThat(Manifests.childManifests(index.manifest())).extracting(Descriptor::digest).containsExactly(amd.digest());

        Manifest image = client.getManifest(repository.digest(amd.digest())).orElseThrow().manifest();
        byte[] config = client.getBlob(repository, image.config().digest());
        assertThat(new String(config)).contains("\"created\":\"2026-01-02T03:04:05Z\"");
        assertThat(client.configCreated(repository, image.config())).contains(created);
        assertThat(Manifests.blobs(image)).containsKey(image.config().digest()).hasSize(1 + image.layers().size());
    }

    @Test
    void aConfigThatIsGoneHasNoCreationTime() {
        Pushed amd = seeder.pushImage(repo, "builder-10-amd64", "amd64", Instant.now(), "k");
        Manifest image = client.getManifest(repository.digest(amd.digest())).orElseThrow().manifest();
        Descriptor missing = new Descriptor(image.config().mediaType(), "sha256:" + "0".repeat(64), 2, null, null);

        assertThat(client.configCreated(repository, missing)).isEmpty();
    }

    @Test
    void indexPushedOverExistingChildrenResolves() {
        Pushed amd = seeder.pushImage(repo, "builder-4-amd64", "amd64", Instant.now(), "e");
        Descriptor child = new Descriptor(amd.mediaType(), amd.digest(), amd.size(), new Descriptor.Platform("amd64", "linux", null), null);
        Manifest index = Manifest.index(List.of(child), Map.of("org.opencontainers.image.version", "4"));

        String digest = client.putManifest(ref("builder-4"), MediaTypes.OCI_INDEX, index.toJson());

        assertThat(client.headManifest(ref("builder-4"))).map(ManifestHead::digest).hasValue(digest);
    }

    @Test
    void deleteByDigestRemovesTheTagAndASecondDeleteCountsAsAlreadyGone() {
        Pushed amd = seeder.pushImage(repo, "builder-5-amd64", "amd64", Instant.now(), "f");
        ImageRef byDigest = ref("builder-5-amd64").withDigest(amd.digest());

        assertThat(client.deleteManifest(byDigest)).isEqualTo(DeleteOutcome.DELETED);
        assertThat(exists(client, ref("builder-5-amd64"))).isFalse();
        assertThat(client.deleteManifest(byDigest)).isEqualTo(DeleteOutcome.ALREADY_GONE);
    }

    @Test
    void deleteOnARegistryWithDeletionDisabledIsReportedAsUnsupported() {
        try (LocalRegistry noDeletes = LocalRegistry.start(false)) {
            Pushed amd = new RegistrySeeder(noDeletes).pushImage(repo, "builder-6-amd64", "amd64", Instant.now(), "g");
            ImageRef byDigest = Repository.of(noDeletes.host(), repo).digest(amd.digest());

            assertThatThrownBy(() -> client.deleteManifest(byDigest))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.isUnsupported()).isTrue();
                        assertThat(e.isTransient()).isFalse();
                        assertThat(e.code()).isEqualTo("UNSUPPORTED");
                    });
        }
    }

    /**
     * distribution's filesystem storage rewrites a blob's link file on every upload of it; a manifest PUT
     * checking that blob meanwhile reads the link empty and answers 400 DIGEST_INVALID (two signers pushing one
     * payload do this). The client asks again: every PUT lands, and a recorded pause shows the race was met.
     */
    @Test
    void aTagPutRacingAnUploadOfItsOwnBlobIsAskedAgainAndLands() throws Exception {
        byte[] layer = ("layer " + UUID.randomUUID()).getBytes();
        byte[] config = "{}".getBytes();
        String layerDigest = seeder.pushBlob(repo, layer);
        String configDigest = seeder.pushBlob(repo, config);
        byte[] body = imageManifest(new Descriptor(MediaTypes.OCI_CONFIG, configDigest, config.length, null, null),
                List.of(new Descriptor("application/octet-stream", layerDigest, layer.length, null, null)));
        AtomicInteger raced = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService uploaders = Executors.newFixedThreadPool(2);
        try (RegistryClient recording = new RegistryClient(settings(), pause -> {
            raced.incrementAndGet();
            TimeUnit.MILLISECONDS.sleep(pause.toMillis());
        }, Clock.systemUTC())) {
            for (int i = 0; i < 2; i++) {
                uploaders.submit(() -> {
                    while (!stop.get()) {
                        try {
                            seeder.pushBlob(repo, layer);
                        } catch (IllegalStateException e) {
                            // the uploads race each other too (a 500 now and then); keep relinking
                        }
                    }
                    return null;
                });
            }
            // Until the race was met once: the link is empty for a moment only, so how many PUTs that takes
            // depends on the host; well under a second here.
            int puts = 0;
            Instant until = Instant.now().plusSeconds(60);
            while (raced.get() == 0 && Instant.now().isBefore(until)) {
                assertThat(recording.putManifest(ref("raced"), MediaTypes.OCI_MANIFEST, body)).isEqualTo(RegistrySeeder.sha256(body));
                puts++;
            }
            assertThat(raced.get()).as("answers asked again, in %d PUTs", puts).isPositive();
        } finally {
            stop.set(true);
            uploaders.shutdown();
            assertThat(uploaders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aTagPutRefusedForAnotherReasonIsTheAnswerOnceWithTheRegistrysCode() {
        String missing = RegistrySeeder.sha256(("never pushed " + UUID.randomUUID()).getBytes());
        byte[] body = imageManifest(new Descriptor(MediaTypes.OCI_CONFIG, missing, 2, null, null), List.of());
        AtomicInteger pauses = new AtomicInteger();

        try (RegistryClient counting = new RegistryClient(settings(), pause -> pauses.incrementAndGet(), Clock.systemUTC())) {
            assertThatThrownBy(() -> counting.putManifest(ref("refused"), MediaTypes.OCI_MANIFEST, body))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("MANIFEST_BLOB_UNKNOWN");
                        assertThat(e.isTransient()).isFalse();
                    });
        }
        assertThat(pauses).hasValue(0);
    }

    @Test
    void tagListingFollowsLinkPagination() {
        List<String> pushed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seeder.pushImage(repo, "t" + i, "amd64", Instant.now(), "p" + i);
            pushed.add("t" + i);
        }

        assertThat(client.listTags(repository)).containsExactlyInAnyOrderElementsOf(pushed);
        assertThat(client.listTags(Repository.of(registry.host(), "acme/never-pushed"))).isEmpty();
    }

    @Test
    void unreachableRegistryIsRetriedWithBackoffUntilItComesUp() throws Exception {
        int port = LocalRegistry.freePort();
        AtomicReference<LocalRegistry> late = new AtomicReference<>();
        AtomicInteger pauses = new AtomicInteger();
        RegistryClient patient = new RegistryClient(settings("max-attempts", "5", "initial-backoff", "PT0.01S", "max-backoff", "PT0.05S"),
                wait -> {
                    if (pauses.incrementAndGet() == 2) {
                        late.set(LocalRegistry.builder().port(port).start());
                    }
                }, Clock.systemUTC());
        try (patient) {
            assertThat(exists(patient, ImageRef.ofTag("127.0.0.1:" + port, repo, "builder-7-amd64"))).isFalse();
            assertThat(pauses.get()).isEqualTo(2);
        } finally {
            if (late.get() != null) {
                late.get().close();
            }
        }
    }

    @Test
    void unreachableRegistryFailsAsTransientAfterTheRetryBudget() throws Exception {
        int port = LocalRegistry.freePort();
        AtomicInteger pauses = new AtomicInteger();
        try (RegistryClient impatient = new RegistryClient(settings("max-attempts", "3", "initial-backoff", "PT0.001S", "max-backoff", "PT0.001S"),
                wait -> pauses.incrementAndGet(), Clock.systemUTC())) {

            assertThatThrownBy(() -> impatient.headManifest(ImageRef.ofTag("127.0.0.1:" + port, repo, "x")))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageContaining("unreachable after 3 attempts");
            assertThat(pauses.get()).isEqualTo(2);
        }
    }

    @Test
    void basicCredentialsAreSentWhenTheRegistryAsksForThem() {
        try (LocalRegistry locked = LocalRegistry.builder().basicAuth("ci", "s3cret").start();
             RegistryClient anonymous = new RegistryClient(settings());
             RegistryClient withCredentials = new RegistryClient(settings(
                     "credentials.\"" + locked.host() + "\".username", "ci", "credentials.\"" + locked.host() + "\".password", "s3cret"))) {
            String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("ci:s3cret".getBytes());
            new RegistrySeeder(locked.url(), basic).pushImage(repo, "builder-8-amd64", "amd64", Instant.now(), "h");
            ImageRef image = ImageRef.ofTag(locked.host(), repo, "builder-8-amd64");

            assertThatThrownBy(() -> anonymous.headManifest(image))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isAuthFailure()).isTrue());

            assertThat(exists(withCredentials, image)).isTrue();
        }
    }

    @Test
    void bearerTokenFlowFromTheChallengeIsFollowedAndTokensAreCachedUntilExpiry() {
        try (TokenServer tokens = TokenServer.start("ci", "s3cret", Duration.ofMinutes(5));
             LocalRegistry locked = LocalRegistry.builder().tokenAuth(tokens).start();
             RegistryClient client = new RegistryClient(settings(
                     "credentials.\"" + locked.host() + "\".username", "ci", "credentials.\"" + locked.host() + "\".password", "s3cret"));
             RegistryClient wrongPassword = new RegistryClient(settings(
                     "credentials.\"" + locked.host() + "\".username", "ci", "credentials.\"" + locked.host() + "\".password", "wrong"))) {
            ImageRef image = ImageRef.ofTag(locked.host(), repo, "builder-9-amd64");

            assertThat(exists(client, image)).isFalse();
            assertThat(exists(client, image)).isFalse();
            assertThat(tokens.tokensIssued("repository:" + repo + ":pull")).isEqualTo(1);

            assertThatThrownBy(() -> wrongPassword.headManifest(image))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isAuthFailure()).isTrue())
                    .hasMessageNotContaining("wrong");
        }
    }

    @Test
    void oneClientServesEveryRepositoryOfARegistryAndRefusesCallsOnceClosed() {
        seeder.pushImage(repo, "builder-11-amd64", "amd64", Instant.now(), "m");
        String other = "acme/" + UUID.randomUUID().toString().substring(0, 8) + "/nested";
        seeder.pushImage(other, "builder-11-amd64", "amd64", Instant.now(), "n");

        assertThat(exists(client, ref("builder-11-amd64"))).isTrue();
        assertThat(exists(client, Repository.of(registry.host(), other).tag("builder-11-amd64"))).isTrue();
        assertThat(client.listTags(Repository.of(registry.host(), other))).containsExactly("builder-11-amd64");
        assertThat(client.ping(registry.host())).isTrue();

        client.close();

        assertThatThrownBy(() -> client.headManifest(ref("builder-11-amd64")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
