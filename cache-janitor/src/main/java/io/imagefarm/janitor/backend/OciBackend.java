package io.imagefarm.janitor.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.janitor.policy.Artifact;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import io.imagefarm.registry.DeleteOutcome;
import io.imagefarm.registry.FetchedManifest;
import io.imagefarm.registry.RegistryClient;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Any OCI distribution registry, through the shared {@link RegistryClient}: tags listed with Link
 * pagination (relative or absolute), digests resolved with HEAD and the full Accept list, manifests and
 * index children read by digest, push time from the config's {@code created} (an index: its
 * {@code org.opencontainers.image.created} annotation, else its newest child), deletion by digest
 * (202; 404 counts as already gone; 405 UNSUPPORTED stops the run).
 */
public final class OciBackend implements JanitorBackend {

    public static final String GC_NOTE = "Deleting manifests only unlinks them: the blobs stay on disk until the registry's"
            + " offline garbage collection runs (for CNCF distribution: `registry garbage-collect <config>` with the"
            + " registry read-only or stopped).";
    private static final String CREATED_ANNOTATION = "org.opencontainers.image.created";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClient client;

    public OciBackend(RegistryClient client) {
        this.client = client;
    }

    @Override
    public Inventory scan(RepositoryTarget target) {
        Map<String, Set<String>> tagsByDigest = new LinkedHashMap<>();
        for (String tag : client.listTags(target.registry(), target.repository())) {
            Optional<ManifestHead> head = client.headManifest(ImageRef.ofTag(target.registry(), target.repository(), tag));
            // A tag deleted between listing and HEAD is simply gone.
            head.ifPresent(h -> tagsByDigest.computeIfAbsent(h.digest(), d -> new LinkedHashSet<>()).add(tag));
        }
        return new Inventory(target.image(), readManifests(target, tagsByDigest), false);
    }

    /** Reads every tagged manifest and, breadth first, every manifest an index points at. */
    List<Artifact> readManifests(RepositoryTarget target, Map<String, Set<String>> tagsByDigest) {
        Map<String, Read> reads = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(tagsByDigest.keySet());
        Map<String, Instant> configCreated = new HashMap<>();
        while (!queue.isEmpty()) {
            String digest = queue.poll();
            if (reads.containsKey(digest)) {
                continue;
            }
            Optional<FetchedManifest> fetched = client.getManifest(
                    ImageRef.ofTag(target.registry(), target.repository(), "latest").withDigest(digest));
            if (fetched.isEmpty()) {
                reads.put(digest, null); // a dangling child, or deleted meanwhile
                continue;
            }
            Manifest m = fetched.get().manifest();
            Read read = new Read(m, fetched.get().body().length);
            reads.put(digest, read);
            if (m.isIndex()) {
                for (Descriptor child : m.children()) {
                    if (isManifestType(child.mediaType())) {
                        read.children.add(child.digest());
                        queue.add(child.digest());
                    } else {
                        read.blobs.put(child.digest(), child.size()); // a cache index lists blobs
                    }
                }
                read.pushedAt = parseInstant(m.annotations() == null ? null : m.annotations().get(CREATED_ANNOTATION));
            } else {
                if (m.config() != null) {
                    read.blobs.put(m.config().digest(), m.config().size());
                    if (isImageConfig(m.config().mediaType())) {
                        read.pushedAt = configCreated.computeIfAbsent(m.config().digest(),
                                d -> created(target, d));
                    }
                }
                if (m.layers() != null) {
                    m.layers().forEach(l -> read.blobs.put(l.digest(), l.size()));
                }
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
                    r.manifest.isIndex(), r.children, pushed, r.blobs));
        }
        return artifacts;
    }

    private static final class Read {
        final Manifest manifest;
        final List<String> children = new ArrayList<>();
        final Map<String, Long> blobs = new HashMap<>();
        Instant pushedAt;

        Read(Manifest manifest, long size) {
            this.manifest = manifest;
        }
    }

    private Instant created(RepositoryTarget target, String configDigest) {
        try {
            JsonNode config = JSON.readTree(client.getBlob(target.registry(), target.repository(), configDigest));
            return parseInstant(config.path("created").asText(null));
        } catch (IOException e) {
            return null; // not JSON: no push time, and the policy keeps what it cannot date
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public DeleteResult delete(RepositoryTarget target, Deletion deletion) {
        ImageRef ref = ImageRef.ofTag(target.registry(), target.repository(), "latest").withDigest(deletion.digest());
        try {
            return client.deleteManifest(ref) == DeleteOutcome.DELETED ? DeleteResult.DELETED : DeleteResult.ALREADY_GONE;
        } catch (RegistryException e) {
            if (e.isUnsupported()) {
                throw new DeletionUnsupportedException("registry " + target.registry() + " has deletion disabled (405 "
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

    static boolean isManifestType(String mediaType) {
        return mediaType == null || MediaTypes.isIndex(mediaType) || MediaTypes.isManifest(mediaType);
    }

    private static boolean isImageConfig(String mediaType) {
        return MediaTypes.OCI_CONFIG.equals(mediaType) || MediaTypes.DOCKER_CONFIG.equals(mediaType);
    }

    static Instant parseInstant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
