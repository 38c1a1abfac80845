package io.imagefarm.hasher.resolve;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests waiting for a version hash to change, bounded: at most {@code max} at once, and each one
 * gone from here as soon as its request ends (change, timeout or error), so a flood of waits for
 * random hashes leaves nothing behind.
 */
public final class ChangeWaiters {

    private final int max;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Set<Waiter>> byHash = new ConcurrentHashMap<>();

    public ChangeWaiters(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("imagefarm.hasher.await.max-waiters must be at least 1, not " + max);
        }
        this.max = max;
    }

    /** A waiter for the next change of {@code versionHash}, or empty when {@code max} requests already wait. */
    public Optional<Waiter> register(String versionHash) {
        if (active.incrementAndGet() > max) {
            active.decrementAndGet();
            return Optional.empty();
        }
        Waiter waiter = new Waiter(versionHash);
        byHash.computeIfAbsent(versionHash, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        return Optional.of(waiter);
    }

    /** Completes (and releases) every waiter of {@code versionHash}. */
    public void signal(String versionHash) {
        Set<Waiter> waiting = byHash.remove(versionHash);
        if (waiting != null) {
            waiting.forEach(w -> w.changed.complete(null));
            waiting.forEach(Waiter::close);
        }
    }

    public int active() {
        return active.get();
    }

    /** How many hashes have a waiter entry; with {@link #active()}, what the leak test watches. */
    public int hashes() {
        return byHash.size();
    }

    public final class Waiter implements AutoCloseable {
        private final String versionHash;
        private final CompletableFuture<Void> changed = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Waiter(String versionHash) {
            this.versionHash = versionHash;
        }

        /** Completes at the next change of the hash; never completed by a timeout of its own. */
        public CompletableFuture<Void> changed() {
            return changed;
        }

        /** Idempotent: the request is over, whatever the outcome. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                active.decrementAndGet();
                byHash.computeIfPresent(versionHash, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}
