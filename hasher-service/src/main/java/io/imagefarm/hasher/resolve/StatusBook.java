package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.ImageStatus;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The latest {@link ImageStatus} per image ref: the status topic materialised in memory. Fed by the
 * status consumer (every replica reads the whole compacted topic on start-up) and written through by
 * this replica's own publishes, so a request right after a publish already sees it.
 */
public final class StatusBook {

    private final Map<String, ImageStatus> latest = new ConcurrentHashMap<>();
    private final ChangeWaiters waiters;
    private final List<Consumer<ImageStatus>> listeners = new CopyOnWriteArrayList<>();

    public StatusBook(ChangeWaiters waiters) {
        this.waiters = waiters;
    }

    public Optional<ImageStatus> get(String imageRef) {
        return Optional.ofNullable(latest.get(imageRef));
    }

    /** Applies a status unless an entry at least as new is already there (replays and write-through race). */
    public void apply(ImageStatus status) {
        ImageStatus merged = latest.merge(status.image(), status,
                (old, neu) -> neu.updatedAt().isBefore(old.updatedAt()) ? old : neu);
        if (merged == status) {
            signal(status.versionHash());
            listeners.forEach(l -> l.accept(status));
        }
    }

    /** A tombstone on the compacted topic. */
    public void remove(String imageRef) {
        ImageStatus removed = latest.remove(imageRef);
        if (removed != null) {
            signal(removed.versionHash());
        }
    }

    /** Whether any status of this version hash is known: waiting for an unknown hash allocates nothing. */
    public boolean knows(String versionHash) {
        return latest.values().stream().anyMatch(s -> versionHash.equals(s.versionHash()));
    }

    public ChangeWaiters waiters() {
        return waiters;
    }

    public void onChange(Consumer<ImageStatus> listener) {
        listeners.add(listener);
    }

    public int size() {
        return latest.size();
    }

    private void signal(String versionHash) {
        waiters.signal(String.valueOf(versionHash));
    }
}
