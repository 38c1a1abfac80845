package io.imagefarm.janitor.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates registries as the farm leaves them, at random: builder hashes with per-arch images and
 * indexes (some with untagged attestation children; some pushed with provenance: per-arch indexes of the image
 * and its attestation, and the hash's index over images and attestations), byte-identical rebuilds sharing digests, tags the
 * janitor does not manage (some on indexes), per-arch and legacy cache tags, untagged superseded
 * versions (ghcr.io), pushes inside the grace period; and usage histories and policy settings to match.
 * Shared by the plain property test and the real-registry IT.
 */
public final class RandomRegistries {

    static final String[] ARCHES = {"amd64", "arm64", "s390x"};

    /** A generated repository: each digest's manifest, in push order, ready to seed or to plan. */
    public record Generated(List<Node> nodes, Map<String, Instant> lastRequested, PolicySettings settings, boolean ghcr) {

        public Inventory inventory(String image) {
            return new Inventory(image, nodes.stream().map(Node::artifact).toList(), ghcr);
        }
    }

    /**
     * One manifest. {@code childIds} name other nodes by id; seeding assigns real digests.
     *
     * @param id      a stable name, e.g. {@code h3-amd64}
     * @param arch    for manifests
     * @param layerKey manifests with the same key are byte-identical (same digest)
     */
    public record Node(String id, boolean index, String arch, List<String> childIds, Set<String> tags, Instant pushedAt,
                       String layerKey, Artifact artifact, String attestsId) {
    }

    private final Random random;
    private final Instant now;

    public RandomRegistries(long seed, Instant now) {
        this.random = new Random(seed);
        this.now = now;
    }

    public Generated generate(boolean ghcr, int maxHashes) {
        Map<String, NodeBuilder> nodes = new LinkedHashMap<>();
        Map<String, String> byLayerKey = new HashMap<>();
        int hashes = random.nextInt(maxHashes + 1);
        List<String> hashIds = new ArrayList<>();
        Map<String, Instant> used = new HashMap<>();
        List<String> manifestIds = new ArrayList<>();
        for (int h = 0; h < hashes; h++) {
            String hash = String.format("%016x", random.nextLong());
            hashIds.add(hash);
            Instant pushed = randomPast();
            List<String> children = new ArrayList<>();
            boolean provenance = random.nextBoolean();
            for (String arch : ARCHES) {
                if (random.nextInt(3) == 0 && !arch.equals("amd64")) {
                    continue;
                }
                String layerKey = hash + arch;
                if (!manifestIds.isEmpty() && random.nextInt(8) == 0) {
                    // a byte-identical rebuild: same digest as an earlier image
                    layerKey = nodes.get(manifestIds.get(random.nextInt(manifestIds.size()))).layerKey;
                }
                String id = byLayerKey.computeIfAbsent(layerKey, k -> "m" + nodes.size());
                NodeBuilder m = nodes.computeIfAbsent(id, k -> new NodeBuilder(k, false, arch, List.of(), pushed, k));
                if (byLayerKey.get(layerKey).equals(id) && m.layerKey == null) {
                    m.layerKey = layerKey;
                }
                if (provenance) {
                    String att = "a" + nodes.size();
                    NodeBuilder attestation = new NodeBuilder(att, false, "unknown", List.of(), null, att);
                    attestation.attests = id;
                    nodes.put(att, attestation);
                    String perArch = "p" + nodes.size();
                    NodeBuilder archIndex = new NodeBuilder(perArch, true, null, List.of(id, att), null, perArch);
                    archIndex.tags.add("builder-" + hash + "-" + arch);
                    nodes.put(perArch, archIndex);
                    children.add(id);
                    children.add(att);
                } else {
                    m.tags.add("builder-" + hash + "-" + arch);
                    children.add(id);
                }
                manifestIds.add(id);
            }
            if (random.nextInt(5) > 0) {
                if (random.nextInt(3) == 0) {
                    String att = "att" + nodes.size();
                    nodes.put(att, new NodeBuilder(att, false, "unknown", List.of(), null, att));
                    children.add(att);
                }
                String idx = "i" + nodes.size();
                NodeBuilder index = new NodeBuilder(idx, true, null, children, null, idx);
                index.tags.add("builder-" + hash);
                nodes.put(idx, index);
            }
            if (random.nextInt(3) == 0) {
                used.put(hash, now.minus(Duration.ofHours(random.nextInt(60 * 24))));
            }
        }
        // tags the janitor does not manage, on random manifests or on an index of its own
        if (!manifestIds.isEmpty() && random.nextBoolean()) {
            nodes.get(manifestIds.get(random.nextInt(manifestIds.size()))).tags.add("latest");
        }
        if (manifestIds.size() > 1 && random.nextInt(3) == 0) {
            List<String> kids = List.of(manifestIds.get(random.nextInt(manifestIds.size())),
                    manifestIds.get(random.nextInt(manifestIds.size()))).stream().distinct().toList();
            String idx = "i" + nodes.size();
            NodeBuilder stable = new NodeBuilder(idx, true, null, kids, null, idx);
            stable.tags.add("stable");
            nodes.put(idx, stable);
        }
        for (String arch : ARCHES) {
            if (random.nextBoolean()) {
                String id = "c" + nodes.size();
                NodeBuilder c = new NodeBuilder(id, false, arch, List.of(), randomPast(), id);
                c.tags.add("buildcache-" + arch);
                nodes.put(id, c);
            }
        }
        if (random.nextBoolean()) {
            String id = "c" + nodes.size();
            NodeBuilder c = new NodeBuilder(id, false, "amd64", List.of(), randomPast(), id);
            c.tags.add("buildcache");
            nodes.put(id, c);
        }
        if (ghcr) {
            for (int u = random.nextInt(6); u > 0; u--) {
                String id = "u" + nodes.size();
                nodes.put(id, new NodeBuilder(id, false, "amd64", List.of(), randomPast(), id));
            }
        }
        Set<String> arches = new LinkedHashSet<>();
        for (String arch : ARCHES) {
            if (random.nextInt(3) > 0) {
                arches.add(arch);
            }
        }
        PolicySettings settings = new PolicySettings(random.nextInt(7), Duration.ofDays(random.nextInt(31)),
                Duration.ofHours(random.nextInt(4 * 24)), arches, random.nextBoolean(), random.nextBoolean(),
                random.nextInt(200), random.nextDouble());
        List<Node> built = new ArrayList<>();
        int version = 0;
        for (NodeBuilder b : nodes.values()) {
            built.add(b.build(++version, ghcr));
        }
        return new Generated(built, used, settings, ghcr);
    }

    private Instant randomPast() {
        // a quarter within three days, so the grace period matters
        return random.nextInt(4) == 0 ? now.minus(Duration.ofMinutes(random.nextInt(3 * 24 * 60)))
                : now.minus(Duration.ofHours(random.nextInt(200 * 24)));
    }

    private static final class NodeBuilder {
        final String id;
        final boolean index;
        final String arch;
        final List<String> children;
        final Instant pushed;
        final Set<String> tags = new LinkedHashSet<>();
        String layerKey;
        String attests;

        NodeBuilder(String id, boolean index, String arch, List<String> children, Instant pushed, String layerKey) {
            this.id = id;
            this.index = index;
            this.arch = arch;
            this.children = List.copyOf(children);
            this.pushed = pushed;
            this.layerKey = layerKey;
        }

        Node build(int version, boolean ghcr) {
            String digest = digestOf(id);
            Artifact artifact = new Artifact(digest, ghcr ? Integer.toString(version) : null, tags, index,
                    children.stream().map(RandomRegistries::digestOf).toList(), pushed,
                    index ? Map.of() : Map.of("blob-" + id, 1000L + id.length()), attests == null ? null : digestOf(attests));
            return new Node(id, index, arch, children, tags, pushed, layerKey, artifact, attests);
        }
    }

    /** The digest a node stands for in plain tests (the registry IT uses the real ones). */
    public static String digestOf(String id) {
        return Inv.digest("node-" + id);
    }
}
