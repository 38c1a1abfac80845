package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The index after a registry blip: pushed by itself, without waiting for another request. */
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
        RegistryLookup registry = image -> Optional.of(new ManifestHead(
                "sha256:" + image.tag().charAt(image.tag().length() - 5) + "1".repeat(63), "application/vnd.oci.image.manifest.v1+json", 500));
        IndexWriter writer = (index, manifest) -> {
            if (registryDownFor.getAndDecrement() > 0) {
                throw new RegistryException("registry unavailable: 503", 503, "UNAVAILABLE");
            }
            return "sha256:" + "9".repeat(64);
        };
        return new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), registry, writer, book, p -> { published.add(p); return java.util.concurrent.CompletableFuture.completedFuture(null); }, new ImageLocks(4),
                Runnable::run, Clock.systemUTC(), e -> { }, retries,
                new IndexAssembler.Retry(Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofSeconds(10)));
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        AtomicInteger heads = new AtomicInteger();
        IndexAssembler assembler = new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), image -> {
                    heads.incrementAndGet();
                    return Optional.empty();
                },
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
}
