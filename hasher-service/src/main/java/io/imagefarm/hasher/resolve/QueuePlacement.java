package io.imagefarm.hasher.resolve;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Where an accepted event goes in its arch's work queue: on a partition of the least loaded worker,
 * not on the partition its key hashes to. A worker builds one event at a time and holds its
 * partitions meanwhile, so an event hashed behind a busy worker would wait while another worker of
 * the arch idles. Load is what the queue says: per partition, the events not yet committed by the
 * group (waiting, or being built), plus what this replica placed that the look does not count yet.
 * Plain Java: the snapshot comes from the group's assignment and offsets.
 */
public final class QueuePlacement {

    /**
     * One look at an arch's worker group.
     *
     * @param assignment  partitions per worker (group member)
     * @param outstanding per partition, end offset minus the group's committed offset
     */
    public record Snapshot(Map<String, List<Integer>> assignment, Map<Integer, Long> outstanding) {

        public static final Snapshot NONE = new Snapshot(Map.of(), Map.of());
    }

    private final Snapshot snapshot;
    private final Map<Integer, Long> placed;

    public QueuePlacement(Snapshot snapshot) {
        this(snapshot, Map.of());
    }

    /**
     * @param alreadyPlaced per partition, events this replica placed that {@code snapshot} does not count
     *                      yet (written past the end its look read, or not written yet)
     */
    public QueuePlacement(Snapshot snapshot, Map<Integer, Long> alreadyPlaced) {
        this.snapshot = snapshot;
        this.placed = new HashMap<>(alreadyPlaced);
    }

    /**
     * The partition for the next event: of the worker with the least outstanding work (ties: the
     * worker's partition with the least, then the lowest number); empty when no worker is in the group,
     * and the key's own partition will do.
     */
    public OptionalInt next() {
        String best = null;
        long bestLoad = Long.MAX_VALUE;
        for (Map.Entry<String, List<Integer>> worker : snapshot.assignment().entrySet()) {
            if (worker.getValue().isEmpty()) {
                continue;
            }
            long load = worker.getValue().stream().mapToLong(this::load).sum();
            if (load < bestLoad || (load == bestLoad && worker.getKey().compareTo(best) < 0)) {
                best = worker.getKey();
                bestLoad = load;
            }
        }
        if (best == null) {
            return OptionalInt.empty();
        }
        int partition = snapshot.assignment().get(best).stream()
                .min((a, b) -> load(a) != load(b) ? Long.compare(load(a), load(b)) : Integer.compare(a, b)).orElseThrow();
        placed.merge(partition, 1L, Long::sum);
        return OptionalInt.of(partition);
    }

    private long load(int partition) {
        return snapshot.outstanding().getOrDefault(partition, 0L) + placed.getOrDefault(partition, 0L);
    }
}
