package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.StatusTransitions;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Collectors;
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

    private static final Logger LOG = Logger.getLogger(StatusBook.class);

    private final Map<String, ImageStatus> latest = new ConcurrentHashMap<>();
    private final ChangeWaiters waiters;
    private final Map<String, Instant> received = new ConcurrentHashMap<>();
    private final Clock clock;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final List<Consumer<ImageStatus>> listeners = new CopyOnWriteArrayList<>();

    public StatusBook(ChangeWaiters waiters) {
        this(waiters, Clock.systemUTC());
    }

    /** @param clock this replica's clock: ages (in-flight, heartbeats, failures) are measured on it alone */
    public StatusBook(ChangeWaiters waiters, Clock clock) {
        this.waiters = waiters;
        this.clock = clock;
    }

    /**
     * When this replica took in the entry's current status. Ages are measured from here, on one clock,
     * never against the {@code updatedAt} another host's clock wrote.
     */
    public Optional<Instant> receivedAt(String imageRef) {
        return Optional.ofNullable(received.get(imageRef));
    }

    /** Statuses refused as steps the state machine does not allow (metric imagefarm.hasher.status.refused). */
    public long refusedTransitions() {
        return refused.get();
    }

    /** Every current status (a copy). */
    public List<ImageStatus> snapshot() {
        return List.copyOf(latest.values());
    }

    public Optional<ImageStatus> get(String imageRef) {
        return Optional.ofNullable(latest.get(imageRef));
    }

    /**
     * The status becomes the entry's current one. Statuses arrive in topic order (Kafka keeps the order
     * per key), and that order is the truth: {@code updatedAt} comes from whichever host wrote it and is
     * never compared, so a worker whose clock runs behind cannot lose its BUILT. This replica's own
     * publishes are written through first and read back in order later; a record of another writer that
     * was published before them but is read after them shows for that moment only.
     */
    public void apply(ImageStatus status) {
        ImageStatus previous = latest.get(status.image());
        if (!StatusTransitions.allowed(previous, status)) {
            refused.incrementAndGet();
            LOG.warnf("status %s %s after %s refused: not a step of the status state machine (docs/status-state-machine.md)",
                    status.image(), status.state(), previous.state());
            return;
        }
        latest.put(status.image(), status);
        received.put(status.image(), clock.instant());
        signal(status.versionHash());
        for (Consumer<ImageStatus> listener : listeners) {
            try {
                listener.accept(status);
            } catch (RuntimeException e) {
                // A listener's bug must not stop the book, nor the consumer feeding it.
                listenerFailures.incrementAndGet();
                LOG.warnf(e, "a status listener failed on %s %s; the book has the status", status.image(), status.state());
            }
        }
    }

    /** Listener failures (metric imagefarm.hasher.status.listener_failures). */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /**
     * Takes back {@code written} (a write-through whose publication Kafka did not commit, or a status
     * the registry no longer backs), if it is still the entry's current status: the entry goes back to
     * {@code previous}, or is forgotten when there was none. Not a step of the state machine, since
     * {@code written} never happened for anyone else.
     */
    public void revert(ImageStatus written, ImageStatus previous) {
        if (written == null) {
            return;
        }
        boolean reverted = previous == null ? latest.remove(written.image(), written)
                : latest.replace(written.image(), written, previous);
        if (reverted) {
            if (previous == null) {
                received.remove(written.image());
            }
            signal(written.versionHash());
        }
    }

    /** A tombstone on the compacted topic. */
    public void remove(String imageRef) {
        ImageStatus removed = latest.remove(imageRef);
        received.remove(imageRef);
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

    /**
     * Keeps the book bounded: forgets (in memory only; the topic keeps them) every status of the hashes
     * last requested longer than {@code window} ago, unless one of their images is in flight. A resolve
     * of a forgotten hash asks the registry, as for any hash the book does not know.
     *
     * @return how many statuses were forgotten
     */
    public int forgetHashesNotRequestedWithin(Duration window) {
        Instant cutoff = clock.instant().minus(window);
        Map<String, List<ImageStatus>> byHash = latest.values().stream()
                .filter(st -> st.versionHash() != null)
                .collect(Collectors.groupingBy(ImageStatus::versionHash));
        int forgotten = 0;
        for (List<ImageStatus> statuses : byHash.values()) {
            boolean inFlight = statuses.stream().anyMatch(st -> st.state().inFlight());
            Instant lastTouched = statuses.stream()
                    .map(st -> st.lastRequestedAt() != null ? st.lastRequestedAt() : received.getOrDefault(st.image(), Instant.MIN))
                    .max(Comparator.naturalOrder()).orElse(Instant.MIN);
            if (!inFlight && lastTouched.isBefore(cutoff)) {
                for (ImageStatus st : statuses) {
                    if (latest.remove(st.image(), st)) {
                        received.remove(st.image());
                        forgotten++;
                    }
                }
            }
        }
        return forgotten;
    }

    private void signal(String versionHash) {
        waiters.signal(String.valueOf(versionHash));
    }
}
