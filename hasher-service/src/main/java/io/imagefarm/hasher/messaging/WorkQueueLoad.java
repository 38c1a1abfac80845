package io.imagefarm.hasher.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.resolve.QueuePlacement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Each arch's worker group as the request decider places events: who holds which partition of the work
 * queue, and how many events each partition has not had committed yet. Looked up by a thread of its own
 * every {@code interval}, off the decision path (a look is a few round trips per arch; on the path it
 * added them to the answer of every request for a new image). The events this replica placed that a
 * look does not count yet (written at or past the stable end it read, or not written yet) are added to
 * it, so a burst spreads over the workers exactly; and since one replica decides all of an arch's
 * requests ({@link Topics#requestKey}), those are all of the arch's new events.
 *
 * <p>{@link #place} is called by the decider's thread only; the looks (and the queue readers) belong to
 * the look thread, after the first look, which the constructor takes.
 */
final class WorkQueueLoad implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkQueueLoad.class);
    /** A burst loads the brokers too: a look may take a few seconds then, and is still worth more than a key's hash. */
    private static final long CALL_TIMEOUT_MS = 5000;
    private static final long NOT_WRITTEN = Long.MAX_VALUE;

    /** An event placed on a partition; its offset once the producer has written it. */
    static final class Placed {
        private final int partition;
        private volatile long offset = NOT_WRITTEN;
        private volatile boolean failed;

        Placed(int partition) {
            this.partition = partition;
        }

        int partition() {
            return partition;
        }

        /** From the producer's callback: written at {@code offset}, or not at all (negative). */
        void written(long offset) {
            if (offset < 0) {
                failed = true;
            } else {
                this.offset = offset;
            }
        }
    }

    /** One look at an arch's group: the snapshot, and each partition's stable end offset it counted up to. */
    private record Look(QueuePlacement.Snapshot snapshot, Map<Integer, Long> ends) {
        static final Look NONE = new Look(QueuePlacement.Snapshot.NONE, Map.of());

        /** Whether this look counts {@code p} already (or never will: it failed, or its partition is no worker's). */
        boolean counts(Placed p) {
            Long end = ends.get(p.partition);
            return p.failed || end == null || p.offset < end;
        }
    }

    /** The decider's view of an arch: the look it places from, and its own placements that look does not count. */
    private static final class Placing {
        Look look;
        QueuePlacement placement;
        final Deque<Placed> uncounted = new ArrayDeque<>();
    }

    private final Admin admin;
    private final List<Arch> arches;
    private final Map<Arch, AtomicReference<Look>> looks = new EnumMap<>(Arch.class);
    private final Map<Arch, Placing> placing = new EnumMap<>(Arch.class);
    private final Map<Arch, KafkaConsumer<byte[], byte[]>> readers = new EnumMap<>(Arch.class);
    private final Properties readerProps;
    private final ScheduledExecutorService looker;
    private long lastFailureLog;

    /**
     * Takes a first look at each arch's group, then looks again every {@code interval}.
     *
     * @param arches      the arches this hasher requests (imagefarm.hasher.arches): no other worker group is looked at
     * @param readerProps a read_committed consumer without a group, to count the queued events
     */
    WorkQueueLoad(Admin admin, List<Arch> arches, Duration interval, Properties readerProps) {
        this.admin = admin;
        this.arches = List.copyOf(arches);
        this.readerProps = readerProps;
        for (Arch arch : Arch.values()) {
            looks.put(arch, new AtomicReference<>(Look.NONE));
            placing.put(arch, new Placing());
        }
        lookAtAll();
        looker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("work-queue-load"));
        looker.scheduleWithFixedDelay(this::lookAtAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Where {@code arch}'s next event goes: a partition of its least loaded worker, by the latest look plus
     * this replica's placements it does not count yet; empty when no worker is known (the key's partition
     * will do). The caller reports the written offset to the returned {@link Placed}.
     */
    Optional<Placed> place(Arch arch) {
        Look look = looks.get(arch).get();
        Placing p = placing.get(arch);
        if (p.look != look) {
            p.uncounted.removeIf(look::counts);
            Map<Integer, Long> uncounted = new HashMap<>();
            p.uncounted.forEach(placed -> uncounted.merge(placed.partition(), 1L, Long::sum));
            p.look = look;
            p.placement = new QueuePlacement(look.snapshot(), uncounted);
        }
        OptionalInt partition = p.placement.next();
        if (partition.isEmpty()) {
            return Optional.empty();
        }
        Placed placed = new Placed(partition.getAsInt());
        p.uncounted.addLast(placed);
        return Optional.of(placed);
    }

    private void lookAtAll() {
        for (Arch arch : arches) {
            try {
                looks.get(arch).set(look(arch));
            } catch (RuntimeException e) { // never let one failure cancel the looks to come
                LOG.warnf(e, "looking at the %s worker group failed", arch.id());
            }
        }
    }

    /**
     * The group's members with their assignments; none while the group does not exist (no worker of the
     * arch has joined yet). The group list says which protocol a group is on, so each is described the
     * one way that works: worker groups are classic groups (the workers' consumers use the classic
     * protocol, with static membership), one DescribeGroups round trip. Describing a group that does not
     * exist, or with the other protocol, fails, and Kafka's admin client logs each such failure at ERROR
     * (every look, twice a second per arch, before the first worker joins).
     */
    private Collection<MemberDescription> members(String group) throws Exception {
        Optional<GroupListing> listed = admin.listGroups().all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).stream()
                .filter(g -> g.groupId().equals(group)).findFirst();
        if (listed.isEmpty()) {
            return List.of();
        }
        if (listed.get().type().orElse(GroupType.CLASSIC) == GroupType.CONSUMER) {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).members();
        }
        return admin.describeClassicGroups(List.of(group)).describedGroups().get(group)
                .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).members();
    }

    /**
     * Events on each partition that the group has not committed (queued, or being built), counted as
     * records, read_committed, from the group's committed offset to the end. Offsets alone would not do:
     * the events are written in transactions, and every transaction leaves a commit marker offset that a
     * worker commits past only once the partition is idle (its marker-commit-interval), so a partition
     * that got its events in several transactions would look more loaded than it is (bursts then piled
     * onto one worker).
     */
    private Map<Integer, Long> queued(Arch arch, List<TopicPartition> partitions, Map<TopicPartition, OffsetAndMetadata> committed,
                                      Map<Integer, Long> stableEnds) {
        KafkaConsumer<byte[], byte[]> reader = readers.computeIfAbsent(arch, a -> new KafkaConsumer<>(readerProps));
        reader.assign(partitions);
        Duration limit = Duration.ofMillis(CALL_TIMEOUT_MS);
        Map<TopicPartition, Long> ends = reader.endOffsets(partitions, limit); // read_committed: the stable ends
        ends.forEach((tp, end) -> stableEnds.put(tp.partition(), end));
        Map<TopicPartition, Long> beginnings = reader.beginningOffsets(partitions, limit);
        Map<Integer, Long> counts = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            reader.seek(tp, Math.max(c == null ? 0 : c.offset(), beginnings.get(tp)));
            counts.put(tp.partition(), 0L);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CALL_TIMEOUT_MS);
        while (partitions.stream().anyMatch(tp -> reader.position(tp, limit) < ends.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + Topics.imageRequired(arch) + " queue could not be read to its end in time");
            }
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    counts.merge(r.partition(), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    @Override
    public void close() {
        looker.shutdownNow();
        try {
            if (!looker.awaitTermination(CALL_TIMEOUT_MS * 3, TimeUnit.MILLISECONDS)) {
                LOG.warn("the work queue look did not stop in time; its readers are closed regardless");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readers.values().forEach(KafkaConsumer::close);
    }

    /** The group's members, their partitions, and each partition's uncommitted events; none when it cannot tell. */
    private Look look(Arch arch) {
        String group = Topics.workerGroup(arch);
        String topic = Topics.imageRequired(arch);
        try {
            Map<String, List<Integer>> assignment = new HashMap<>();
            List<TopicPartition> partitions = new ArrayList<>();
            for (MemberDescription m : members(group)) {
                List<Integer> mine = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic))
                        .map(TopicPartition::partition).sorted().toList();
                assignment.put(m.groupInstanceId().orElse(m.consumerId()), mine);
                mine.forEach(p -> partitions.add(new TopicPartition(topic, p)));
            }
            if (partitions.isEmpty()) {
                return Look.NONE;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<Integer, Long> ends = new HashMap<>();
            Map<Integer, Long> queued = queued(arch, partitions, committed, ends);
            return new Look(new QueuePlacement.Snapshot(assignment, queued), Map.copyOf(ends));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (lastFailureLog == 0 || System.nanoTime() - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
                lastFailureLog = System.nanoTime();
                LOG.warnf(e, "the %s group cannot be looked at; events go to their key's partition meanwhile", group);
            }
            return Look.NONE;
        }
    }
}
