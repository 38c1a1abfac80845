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
import java.util.function.Function;

/**
 * Generates registries as the farm leaves them, at random: builder hashes with per-arch images and
 * indexes (some with untagged attestation children), byte-identical rebuilds sharing digests, tags the
 * janitor does not manage (some on indexes, some on attestations' images, some indexes holding an
 * attestation alone), per-arch and legacy cache tags, untagged superseded versions (ghcr.io), pushes inside
 * the grace period; and usage histories and policy settings to match.
 *
 * <p>Half the hashes are pushed with provenance: {@code builder-<hash>-<arch>} an index over the platform
 * image and its attestation manifest (which names the image), {@code builder-<hash>} an index over all of
 * them. Most provenance hashes, and some plain ones, are signed: cosign signatures ({@code sha256-<hex>.sig})
 * of the index and of each platform image, some missing. Some signatures are orphaned: their image is not in
 * the repository. Shared by the plain property test and the real-registry IT.
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
     * One manifest. {@code childIds}, {@code signsId} and {@code attestsId} name other nodes by id; seeding
     * assigns real digests.
     *
     * @param id        a stable name, e.g. {@code h3-amd64}
     * @param arch      for manifests
     * @param tags      its tags, but for a signature's own {@code sha256-<hex>.sig} (see {@link #tags(Function)})
     * @param layerKey  manifests with the same key are byte-identical (same digest)
     * @param signsId   for a cosign signature manifest, the node it signs; an id no node has for an orphan
     * @param attestsId for an attestation manifest, the image node it describes
     */
    public record Node(String id, boolean index, String arch, List<String> childIds, Set<String> tags, Instant pushedAt,
                       String layerKey, String signsId, String attestsId, Artifact artifact) {

        /** Every tag, the signature tag naming the digest {@code digestOfId} gives the signed node. */
        public List<String> tags(Function<String, String> digestOfId) {
            List<String> all = new ArrayList<>(tags);
            if (signsId != null) {
                all.add(ManagedTag.signatureTag(digestOfId.apply(signsId)));
            }
            return all;
        }
    }

    /** cosign's config timestamp, which the OCI backend reads as a signature manifest's push time. */
    public static final Instant COSIGN_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

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
        List<String> attestationIds = new ArrayList<>();
        Set<String> signed = new java.util.HashSet<>();
        for (int h = 0; h < hashes; h++) {
            String hash = String.format("%016x", random.nextLong());
            hashIds.add(hash);
            Instant pushed = randomPast();
            boolean provenance = random.nextBoolean();
            boolean signing = provenance ? random.nextInt(4) > 0 : random.nextInt(4) == 0;
            List<String> children = new ArrayList<>();
            List<String> toSign = new ArrayList<>();
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
                manifestIds.add(id);
                children.add(id);
                toSign.add(id);
                if (provenance) {
                    // buildx's per-arch index: the image and an attestation naming it (each build its own)
                    String att = "att" + nodes.size();
                    NodeBuilder attestation = new NodeBuilder(att, false, "unknown", List.of(), null, att);
                    attestation.attestsId = id;
                    nodes.put(att, attestation);
                    attestationIds.add(att);
                    children.add(att);
                    String x = "x" + nodes.size();
                    NodeBuilder perArch = new NodeBuilder(x, true, null, List.of(id, att), null, x);
                    perArch.tags.add("builder-" + hash + "-" + arch);
                    nodes.put(x, perArch);
                } else {
                    m.tags.add("builder-" + hash + "-" + arch);
                }
            }
            if (random.nextInt(5) > 0) {
                if (!provenance && random.nextInt(3) == 0) {
                    String att = "att" + nodes.size();
                    nodes.put(att, new NodeBuilder(att, false, "unknown", List.of(), null, att));
                    children.add(att);
                }
                String idx = "i" + nodes.size();
                NodeBuilder index = new NodeBuilder(idx, true, null, children, null, idx);
                index.tags.add("builder-" + hash);
                nodes.put(idx, index);
                toSign.add(idx);
            }
            if (signing) {
                // the signer signs the index and each platform image; now and then one is missing
                for (String subject : toSign) {
                    if (random.nextInt(6) > 0 && signed.add(subject)) {
                        addSignature(nodes, subject, ghcr ? after(pushed) : COSIGN_ZERO_TIME);
                    }
                }
            }
            if (random.nextInt(3) == 0) {
                used.put(hash, now.minus(Duration.ofHours(random.nextInt(60 * 24))));
            }
        }
        // signatures whose image was deleted by hand, or never pushed to this repository
        for (int o = random.nextInt(3); o > 0; o--) {
            addSignature(nodes, "gone" + nodes.size(), ghcr ? randomPast() : COSIGN_ZERO_TIME);
        }
        // an index the janitor does not manage holding an attestation without its image
        if (!attestationIds.isEmpty() && random.nextInt(4) == 0) {
            String idx = "i" + nodes.size();
            NodeBuilder audit = new NodeBuilder(idx, true, null, List.of(attestationIds.get(random.nextInt(attestationIds.size()))), null, idx);
            audit.tags.add("audit");
            nodes.put(idx, audit);
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

    /** A cosign signature manifest of node {@code subject}: unique to it, as its payload names the image. */
    private static void addSignature(Map<String, NodeBuilder> nodes, String subject, Instant pushed) {
        String id = "s" + nodes.size();
        NodeBuilder sig = new NodeBuilder(id, false, "sig", List.of(), pushed, id);
        sig.signsId = subject;
        nodes.put(id, sig);
    }

    /** When the signer signed what was pushed at {@code pushed}: moments later, never after now. */
    private Instant after(Instant pushed) {
        Instant signedAt = pushed.plus(Duration.ofMinutes(random.nextInt(30)));
        return signedAt.isAfter(now) ? now : signedAt;
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
        String signsId;
        String attestsId;

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
            Set<String> allTags = new LinkedHashSet<>(tags);
            if (signsId != null) {
                allTags.add(ManagedTag.signatureTag(digestOf(signsId)));
            }
            Artifact artifact = new Artifact(digest, ghcr ? Integer.toString(version) : null, allTags, index,
                    children.stream().map(RandomRegistries::digestOf).toList(), pushed,
                    index ? Map.of() : Map.of("blob-" + id, 1000L + id.length()), attestsId == null ? null : digestOf(attestsId));
            return new Node(id, index, arch, children, tags, pushed, layerKey, signsId, attestsId, artifact);
        }
    }

    /** The digest a node stands for in plain tests (the registry IT uses the real ones). */
    public static String digestOf(String id) {
        return Inv.digest("node-" + id);
    }
}
