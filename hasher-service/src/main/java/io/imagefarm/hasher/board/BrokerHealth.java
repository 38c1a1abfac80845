package io.imagefarm.hasher.board;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The brokers and whether each is in sync: up (the cluster lists it now), and in the in-sync replica set
 * of every partition of the pipeline's topics it holds a replica of. A broker that is down, or missing
 * from one partition's ISR, is not in sync; a partition whose ISR is smaller than its replica set is
 * under-replicated. Plain Java, from what the admin client's describeCluster and describeTopics return.
 *
 * @param underReplicated partitions of the pipeline's topics whose ISR is smaller than their replicas
 * @param problem         why the view is not current (Kafka did not answer), else null
 * @param at              when this replica looked (its clock)
 */
public record BrokerHealth(List<Broker> brokers, int partitions, int underReplicated, String problem, Instant at) {

    /** A broker: from describeCluster when live, else its id alone (named as a replica, or seen earlier). */
    public record Node(int id, String host, int port) {

        public String address() {
            return host == null || host.isEmpty() || port < 0 ? "–" : host + ":" + port;
        }
    }

    /** One partition's replicas and in-sync replicas, by broker id. */
    public record PartitionReplicas(String topic, int partition, List<Integer> replicas, List<Integer> isr) {
    }

    /**
     * @param replicas  partitions it holds a replica of
     * @param outOfSync of those, the ones whose ISR it is not in
     */
    public record Broker(int id, String address, boolean up, int replicas, int outOfSync) {

        public boolean inSync() {
            return up && outOfSync == 0;
        }
    }

    public static BrokerHealth unknown(String problem, Instant at) {
        return new BrokerHealth(List.of(), 0, 0, problem, at);
    }

    /**
     * @param live       the brokers describeCluster returned
     * @param known      every broker seen so far (live ones included), with its last known address
     * @param partitions every partition of the pipeline's topics
     */
    public static BrokerHealth judge(Collection<Node> live, Collection<Node> known, List<PartitionReplicas> partitions,
                                     Instant at) {
        Set<Integer> up = new HashSet<>();
        live.forEach(n -> up.add(n.id()));
        TreeMap<Integer, Node> all = new TreeMap<>();
        known.forEach(n -> all.put(n.id(), n));
        live.forEach(n -> all.put(n.id(), n));
        TreeMap<Integer, int[]> counts = new TreeMap<>(); // replicas, out of sync
        int underReplicated = 0;
        for (PartitionReplicas p : partitions) {
            if (p.isr().size() < p.replicas().size()) {
                underReplicated++;
            }
            for (int id : p.replicas()) {
                int[] c = counts.computeIfAbsent(id, k -> new int[2]);
                c[0]++;
                if (!p.isr().contains(id)) {
                    c[1]++;
                }
                all.putIfAbsent(id, new Node(id, null, -1));
            }
        }
        List<Broker> brokers = new ArrayList<>();
        all.forEach((id, node) -> {
            int[] c = counts.getOrDefault(id, new int[2]);
            brokers.add(new Broker(id, node.address(), up.contains(id), c[0], c[1]));
        });
        return new BrokerHealth(List.copyOf(brokers), partitions.size(), underReplicated, null, at);
    }

    /** The same brokers, as last known, with why they could not be looked at now. */
    public BrokerHealth withProblem(String why) {
        return new BrokerHealth(brokers, partitions, underReplicated, why, at);
    }

    public boolean allInSync() {
        return problem == null && !brokers.isEmpty() && brokers.stream().allMatch(Broker::inSync);
    }
}
