package io.imagefarm.hasher.board;

import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The farm as the dashboard shows it: the workers (from their beats on {@code imagefarm.workers}), each
 * arch's work queue (its worker group's lag, looked up every few seconds) and the brokers (up, and in
 * sync). Ages are measured on this replica's clock from when it took a beat in, never from the worker's
 * clock: a worker is alive while its last beat is younger than {@link WorkerBeat#MISSED_BEATS} of the
 * intervals it announces. A worker that stopped sends a tombstone and leaves; one that died stays, not
 * alive, for {@link #FORGET_DEAD_AFTER}. Bounded: {@link #MAX_WORKERS} workers (the longest silent out
 * first). Plain Java; thread-safe.
 */
public final class FarmBoard {

    public static final int MAX_WORKERS = 1_000;
    public static final Duration FORGET_DEAD_AFTER = Duration.ofHours(1);

    /** A worker's last beat and when this replica took it in. */
    private record Seen(WorkerBeat beat, Instant takenAt) {
    }

    private final Map<String, Seen> workers = new LinkedHashMap<>();
    private final Map<Arch, QueueLag> queues = new EnumMap<>(Arch.class);
    private final Map<Integer, BrokerHealth.Node> knownBrokers = new TreeMap<>();
    private BrokerHealth brokers;

    // ---- what the consumer and the watcher tell it

    public synchronized void onBeat(WorkerBeat beat, Instant takenAt) {
        workers.remove(beat.instanceId()); // re-inserted last: the map stays in order of beats taken in
        workers.put(beat.instanceId(), new Seen(beat, takenAt));
        var it = workers.keySet().iterator();
        while (workers.size() > MAX_WORKERS && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** The worker's tombstone: it stopped and left the farm. */
    public synchronized void onLeft(String instanceId) {
        workers.remove(instanceId);
    }

    public synchronized void onQueue(QueueLag lag) {
        queues.put(lag.arch(), lag);
    }

    /**
     * The cluster as described now; {@code live} is what describeCluster returned, and brokers seen before
     * or named as replicas but not live now are down.
     */
    public synchronized void onBrokers(List<BrokerHealth.Node> live, List<BrokerHealth.PartitionReplicas> partitions,
                                       Instant at) {
        live.forEach(n -> knownBrokers.put(n.id(), n));
        brokers = BrokerHealth.judge(live, knownBrokers.values(), partitions, at);
    }

    /** The cluster could not be described (Kafka away, or too slow): the last view stays, with the problem. */
    public synchronized void onBrokersUnknown(String problem, Instant at) {
        brokers = brokers == null ? BrokerHealth.unknown(problem, at) : brokers.withProblem(problem);
    }

    /** Every arch a queue row is shown for: the hasher's own and any a known worker builds. */
    public synchronized Set<Arch> arches(List<Arch> configured) {
        Set<Arch> arches = EnumSet.noneOf(Arch.class);
        arches.addAll(configured);
        workers.values().forEach(s -> arches.add(Arch.parse(s.beat().arch())));
        return arches;
    }

    /** Workers beating now; their gauge. */
    public synchronized int workerCount() {
        return workers.size();
    }

    // ---- what the page shows

    /** One build a worker runs: its image only where the reader may read its repository. */
    public record BuildRow(String image, Instant since) {

        public boolean hidden() {
            return image == null;
        }
    }

    /**
     * @param lastBeat how long ago this replica took its last beat in
     * @param state    IDLE, BUILDING or STOPPING as it last said; {@code alive} false: it went silent
     */
    public record WorkerRow(String instanceId, String arch, String state, boolean alive, Duration lastBeat, Instant since,
                            List<BuildRow> builds) {
    }

    /**
     * One arch's queue (see {@link QueueLag}).
     *
     * @param lag      the consumer lag of {@code builder-<arch>} on {@code imagefarm.image-required.<arch>}
     *                 (offsets, transaction markers included); null when unknown
     * @param retryLag the same of {@code builder-<arch>-retry} on its retry topic
     * @param events   events on both topics not done yet (queued, waiting for a retry, being built), counted
     * @param building builds the arch's live workers run now
     * @param waiting  events beyond the builds running: builds no worker has taken yet; null when unknown
     * @param problem  why something is unknown or missing, else null
     * @param age      how old the look is
     */
    public record QueueRow(String arch, Long lag, Long retryLag, Long events, int aliveWorkers, int building, Long waiting,
                           String problem, Duration age) {
    }

    public record View(List<WorkerRow> workers, List<QueueRow> queues, BrokerHealth brokers) {

        public long aliveWorkers() {
            return workers.stream().filter(WorkerRow::alive).count();
        }
    }

    /**
     * The farm now, for a reader who may read the repositories {@code readable} accepts (an image of any
     * other is shown as hidden).
     */
    public synchronized View view(List<Arch> configured, Predicate<String> readable, Instant now) {
        forgetDead(now);
        List<WorkerRow> rows = new ArrayList<>();
        Map<Arch, int[]> perArch = new EnumMap<>(Arch.class); // alive workers, builds
        for (Seen s : workers.values()) {
            WorkerBeat b = s.beat();
            Duration age = Duration.between(s.takenAt(), now);
            boolean alive = alive(b, s.takenAt(), now);
            List<BuildRow> builds = b.builds().stream()
                    .map(x -> new BuildRow(readable(x.image(), readable) ? x.image() : null, x.since())).toList();
            rows.add(new WorkerRow(b.instanceId(), b.arch(), b.state().name(), alive, age.isNegative() ? Duration.ZERO : age,
                    b.since(), builds));
            if (alive) {
                int[] counts = perArch.computeIfAbsent(Arch.parse(b.arch()), a -> new int[2]);
                counts[0]++;
                counts[1] += b.builds().size();
            }
        }
        rows.sort(Comparator.comparing((WorkerRow r) -> Arch.parse(r.arch())).thenComparing(WorkerRow::instanceId));
        List<QueueRow> queueRows = new ArrayList<>();
        for (Arch arch : arches(configured)) {
            int[] counts = perArch.getOrDefault(arch, new int[2]);
            QueueLag q = queues.get(arch);
            queueRows.add(q == null
                    ? new QueueRow(arch.id(), null, null, null, counts[0], counts[1], null, "not looked up yet", null)
                    : new QueueRow(arch.id(), q.lag(), q.retryLag(), q.events(), counts[0], counts[1], waiting(q, counts[1]),
                            q.problem(), Duration.between(q.at(), now)));
        }
        return new View(List.copyOf(rows), List.copyOf(queueRows),
                brokers == null ? BrokerHealth.unknown("not looked up yet", now) : brokers);
    }

    /** Alive while the last beat, taken in at {@code takenAt}, is younger than {@link WorkerBeat#MISSED_BEATS} intervals. */
    public static boolean alive(WorkerBeat beat, Instant takenAt, Instant now) {
        return Duration.between(takenAt, now).compareTo(beat.interval().multipliedBy(WorkerBeat.MISSED_BEATS)) < 0;
    }

    /** Builds waiting for a worker: the events not done, less the builds running now; null when unknown. */
    static Long waiting(QueueLag q, int building) {
        return q.events() == null ? null : Math.max(0, q.events() - building);
    }

    private void forgetDead(Instant now) {
        workers.values().removeIf(s -> Duration.between(s.takenAt(), now).compareTo(FORGET_DEAD_AFTER) > 0);
    }

    private static boolean readable(String image, Predicate<String> readable) {
        try {
            return readable.test(ImageRef.parse(image).repository());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
