package io.imagefarm.janitor.backend;

import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.janitor.policy.Artifact;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import io.imagefarm.janitor.policy.ManagedTag;
import io.imagefarm.registry.DeleteOutcome;
import io.imagefarm.registry.FetchedManifest;
import io.imagefarm.registry.RegistryClient;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Any OCI distribution registry, through the shared {@link RegistryClient}: tags listed with Link
 * pagination (relative or absolute), digests resolved with HEAD and the full Accept list, manifests and
 * index children read by digest ({@link Manifests} walks them, per-arch indexes and attestation manifests alike;
 * an attestation's entry names the image it attests), push time from the config's {@code created}
 * (an index: its {@code org.opencontainers.image.created} annotation, else its newest child), a HEAD by digest
 * for each image a signature tag names that the scan did not reach (so a brand-new one is no orphan), deletion by
 * digest (202; 404 counts as already gone; 405 UNSUPPORTED stops the run).
 */
public final class OciBackend implements JanitorBackend {

    public static final String GC_NOTE = "Deleting manifests only unlinks them: the blobs stay on disk until the registry's"
            + " offline garbage collection runs (for CNCF distribution: `registry garbage-collect <config>` with the"
            + " registry read-only or stopped).";

    private final RegistryClient client;

    public OciBackend(RegistryClient client) {
        this.client = client;
    }

    @Override
    public Inventory scan(RepositoryTarget target) {
        Repository repository = target.repository();
        Map<String, Set<String>> tagsByDigest = new LinkedHashMap<>();
        for (String tag : client.listTags(repository)) {
            Optional<ManifestHead> head = client.headManifest(repository.tag(tag));
            // A tag deleted between listing and HEAD is simply gone.
            head.ifPresent(h -> tagsByDigest.computeIfAbsent(h.digest(), d -> new LinkedHashSet<>()).add(tag));
        }
        List<Artifact> artifacts = readManifests(repository, tagsByDigest);
        return new Inventory(target.image(), artifacts, false, unlistedSigned(repository, tagsByDigest, artifacts));
    }

    /**
     * The digests signature tags name that the scan did not reach, but the registry has (one HEAD each): a
     * brand-new index whose tag the listing passed before it was pushed, while its signature's tag came later.
     * Without this its signature would be taken for an orphan and deleted.
     */
    Set<String> unlistedSigned(Repository repository, Map<String, Set<String>> tagsByDigest, List<Artifact> artifacts) {
        Set<String> reached = new HashSet<>();
        for (Artifact a : artifacts) {
            reached.add(a.digest());
            reached.addAll(a.children());
            if (a.attests() != null) {
                reached.add(a.attests());
            }
        }
        Set<String> unlisted = new LinkedHashSet<>();
        tagsByDigest.values().stream().flatMap(Set::stream).map(ManagedTag::parse).flatMap(Optional::stream)
                .filter(ManagedTag::isSignature).map(ManagedTag::signedDigest)
                .filter(signed -> !reached.contains(signed) && !unlisted.contains(signed))
                .filter(signed -> client.headManifest(repository.digest(signed)).isPresent())
                .forEach(unlisted::add);
        return unlisted;
    }

    /** Reads every tagged manifest and, breadth first, every manifest an index points at. */
    List<Artifact> readManifests(Repository repository, Map<String, Set<String>> tagsByDigest) {
        Map<String, Read> reads = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(tagsByDigest.keySet());
        Map<String, Optional<Instant>> configCreated = new HashMap<>();
        Map<String, String> attests = new HashMap<>();
        while (!queue.isEmpty()) {
            String digest = queue.poll();
            if (reads.containsKey(digest)) {
                continue;
            }
            Optional<FetchedManifest> fetched = client.getManifest(repository.digest(digest));
            if (fetched.isEmpty()) {
                reads.put(digest, null); // a dangling child, or deleted meanwhile
                continue;
            }
            Manifest m = fetched.get().manifest();
            Read read = new Read(m);
            reads.put(digest, read);
            for (Descriptor child : Manifests.childManifests(m)) {
                read.children.add(child.digest());
                queue.add(child.digest());
                // an attestation manifest is known by its entry: it and its image are kept together
                Manifests.attestedDigest(child).ifPresent(image -> attests.putIfAbsent(child.digest(), image));
            }
            if (m.isIndex()) {
                read.pushedAt = Manifests.annotatedCreated(m).orElse(null);
            } else if (m.config() != null) {
                read.pushedAt = configCreated.computeIfAbsent(m.config().digest(),
                        d -> client.configCreated(repository, m.config())).orElse(null);
            }
        }
        List<Artifact> artifacts = new ArrayList<>();
        for (Map.Entry<String, Read> e : reads.entrySet()) {
            Read r = e.getValue();
            if (r == null) {
                continue;
            }
            Instant pushed = r.pushedAt;
            if (pushed == null && r.manifest.isIndex()) {
                pushed = r.children.stream().map(reads::get).filter(c -> c != null && c.pushedAt != null)
                        .map(c -> c.pushedAt).max(Instant::compareTo).orElse(null);
            }
            artifacts.add(new Artifact(e.getKey(), null, tagsByDigest.getOrDefault(e.getKey(), Set.of()),
                    r.manifest.isIndex(), r.children, pushed, Manifests.blobs(r.manifest), attests.get(e.getKey())));
        }
        return artifacts;
    }

    private static final class Read {
        final Manifest manifest;
        final List<String> children = new ArrayList<>();
        Instant pushedAt;

        Read(Manifest manifest) {
            this.manifest = manifest;
        }
    }

    @Override
    public DeleteResult delete(RepositoryTarget target, Deletion deletion) {
        try {
            return client.deleteManifest(target.repository().digest(deletion.digest())) == DeleteOutcome.DELETED
                    ? DeleteResult.DELETED : DeleteResult.ALREADY_GONE;
        } catch (RegistryException e) {
            if (e.isUnsupported()) {
                throw new DeletionUnsupportedException("registry " + target.repository().registry() + " has deletion disabled (405 "
                        + (e.code() != null ? e.code() : "UNSUPPORTED") + "): nothing can be deleted from " + target.image()
                        + "; enable it (distribution: storage.delete.enabled=true) or prune through the registry's own tools", e);
            }
            throw e;
        }
    }

    @Override
    public List<String> notes() {
        return List.of(GC_NOTE);
    }
}
