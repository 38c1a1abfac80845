package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.core.registry.ManifestHead;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision alone, with in-memory ports: no Quarkus, no Kafka, no registry. */
class ImageResolverTest {

    static final Map<String, String> FILES = Map.of(
            "rust-toolchain.toml", "[toolchain]\nchannel = \"1.83.0\"\n",
            "package.json", "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n",
            ".python-version", "3.12.7\n",
            "pyproject.toml", "[tool.uv]\nrequired-version = \">=0.5.11\"\n",
            ".devcontainer/Dockerfile", "FROM quay.io/pypa/manylinux_2_28_x86_64\nRUN echo hi\n");
    static final String COMMIT = "a".repeat(40);

    final Map<String, ManifestHead> registryContent = new HashMap<>();
    final List<Publication> published = new ArrayList<>();
    Instant now = Instant.parse("2026-11-28T12:00:00Z");
    /** This replica's clock: the resolver and the book both read it. */
    final Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
    final StatusBook book = new StatusBook(new ChangeWaiters(10), clock);

    /** failure-ttl 1 h and 30 s heartbeats, the defaults */
    static ImageResolver.Settings settings(List<Arch> arches, Duration inFlightTtl) {
        return new ImageResolver.Settings("ghcr.io", arches, inFlightTtl, Duration.ofHours(1), Duration.ofSeconds(30));
    }

    ImageResolver resolver(Duration ttl) {
        RegistryLookup lookup = image -> Optional.ofNullable(registryContent.get(image.toString()));
        return new ImageResolver(settings(List.of(Arch.AMD64, Arch.ARM64), ttl),
                lookup, book, published::add, new ImageLocks(8), clock);
    }

    ResolveRequest request() {
        return new ResolveRequest(SourceRepository.parse("acme/widget"), COMMIT, "https://github.com/acme/widget.git", RepositoryFiles.ofText(FILES));
    }

    @Test
    void missingArchesGetOneEventAndARequestedStatusEach() {
        Resolution r = resolver(Duration.ofMinutes(30)).resolve(request());

        assertThat(r.versionHash()).isEqualTo("5ea78654994769b1");
        assertThat(published).singleElement().satisfies(p -> {
            assertThat(p.events()).extracting(e -> e.image()).containsExactly(
                    "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64", "ghcr.io/acme/widget:builder-5ea78654994769b1-arm64");
            assertThat(p.events()).extracting(e -> e.cache()).containsExactly(
                    "ghcr.io/acme/widget:buildcache-amd64", "ghcr.io/acme/widget:buildcache-arm64");
            assertThat(p.statuses()).extracting(s -> s.state()).containsExactly(BuildState.REQUESTED, BuildState.REQUESTED, BuildState.REQUESTED);
            assertThat(p.statuses().get(2).isIndex()).isTrue();
            assertThat(p.statuses().get(2).lastRequestedAt()).isEqualTo(now);
        });
    }

    static ImageStatus building(String image, Instant workerClock) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, image, "acme/widget", "5ea78654994769b1", "amd64",
                BuildState.BUILDING, null, null, null, null, null, null, null, "e1", null, workerClock);
    }

    @Test
    void aBuildWithHeartbeatsIsLeftAloneAndOneThatMissedThreeIsRequestedAgain() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        book.apply(building(amd, now));                          // a worker took it
        now = now.plus(Duration.ofSeconds(80));                   // under three 30 s beats since
        assertThat(resolver.resolve(request()).arches().get(0).deduplicated()).isTrue();

        now = now.plus(Duration.ofSeconds(11));                   // 91 s: three beats missed
        ArchResolution again = resolver.resolve(request()).arches().get(0);
        assertThat(again.published()).isTrue();
        assertThat(published.get(2).events()).extracting(e -> e.image()).contains(amd);
    }

    @Test
    void agesAreMeasuredOnThisReplicasClockNotOnTheWorkersSkewedOne() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        // The worker's clock is 10 minutes behind: its BUILDING looks ancient by its updatedAt, but arrived just now.
        book.apply(building(amd, now.minus(Duration.ofMinutes(10))));
        now = now.plus(Duration.ofSeconds(5));

        assertThat(book.get(amd)).map(ImageStatus::state).as("topic order wins, not updatedAt").contains(BuildState.BUILDING);
        assertThat(resolver.resolve(request()).arches().get(0).deduplicated()).isTrue();

        ImageStatus built = new ImageStatus(ImageStatus.SCHEMA_VERSION, amd, "acme/widget", "5ea78654994769b1", "amd64",
                BuildState.BUILT, "sha256:" + "c".repeat(64), null, null, null, null, 1, 1, "e1", null, now.minus(Duration.ofMinutes(10)));
        book.apply(built);
        assertThat(book.get(amd)).map(ImageStatus::state).as("a late clock does not lose the BUILT").contains(BuildState.BUILT);
    }

    @Test
    void inFlightImageYoungerThanTheTtlPublishesNoSecondEvent() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        now = now.plus(Duration.ofMinutes(10));

        Resolution second = resolver.resolve(request());

        assertThat(second.arches()).allMatch(ArchResolution::deduplicated);
        assertThat(published.get(1).events()).isEmpty();
        assertThat(published.get(1).statuses()).singleElement().satisfies(s -> assertThat(s.lastRequestedAt()).isEqualTo(now));
    }

    @Test
    void inFlightImageOlderThanTheTtlIsRequestedAgain() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        now = now.plus(Duration.ofMinutes(31));

        resolver.resolve(request());

        assertThat(published.get(1).events()).hasSize(2);
    }

    @Test
    void imageInTheRegistryIsRecordedAsExistsOnce() {
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-amd64", new ManifestHead("sha256:" + "1".repeat(64), "x", 1));
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", new ManifestHead("sha256:" + "2".repeat(64), "x", 1));
        ImageResolver resolver = resolver(Duration.ofMinutes(30));

        Resolution first = resolver.resolve(request());
        resolver.resolve(request());

        assertThat(first.arches()).extracting(ArchResolution::state).containsOnly(BuildState.EXISTS);
        assertThat(published.get(0).events()).isEmpty();
        assertThat(published.get(0).statuses()).filteredOn(s -> !s.isIndex()).hasSize(2);
        assertThat(published.get(1).statuses()).as("only the usage stamp the second time").singleElement();
    }

    @Test
    void invalidFilesPublishNothing() {
        Map<String, String> bad = new HashMap<>(FILES);
        bad.put("pyproject.toml", "[tool.uv");
        ResolveRequest request = new ResolveRequest(SourceRepository.parse("acme/widget"), COMMIT, null, RepositoryFiles.ofText(bad));

        assertThatThrownBy(() -> resolver(Duration.ofMinutes(30)).resolve(request)).isInstanceOf(InvalidRepositoryFilesException.class);
        assertThat(published).isEmpty();
    }

    @Test
    void failedPublicationLeavesTheBookUntouchedSoARetryPublishesAgain() {
        ImageResolver failing = new ImageResolver(settings(List.of(Arch.AMD64), Duration.ofMinutes(30)),
                image -> Optional.empty(), book, p -> {
                    throw new PublishFailedException("broker down", null);
                }, new ImageLocks(8), Clock.systemUTC());

        assertThatThrownBy(() -> failing.resolve(request())).isInstanceOf(PublishFailedException.class);
        assertThat(book.get(ImageRef.parse("ghcr.io/acme/widget:builder-5ea78654994769b1-amd64").toString())).isEmpty();
    }
}
