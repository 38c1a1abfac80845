package io.imagefarm.testsupport;

import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fills a {@link LocalRegistry} through the raw distribution API (JDK HttpClient): blobs, small
 * single-platform images, indexes. Test fixtures only; the product talks through its own client.
 */
public final class RegistrySeeder {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String ACCEPT_ALL = OCI_INDEX + ", " + OCI_MANIFEST
            + ", application/vnd.docker.distribution.manifest.list.v2+json, " + DOCKER_MANIFEST;

    /** A pushed manifest: its digest, size and media type, for building indexes over it. */
    public record Pushed(String digest, long size, String mediaType, String arch) {
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String authorization;

    public RegistrySeeder(LocalRegistry registry) {
        this(registry.url(), null);
    }

    public RegistrySeeder(String baseUrl, String authorization) {
        this.base = baseUrl;
        this.authorization = authorization;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    public String pushBlob(String repo, byte[] content) {
        try {
            HttpResponse<Void> start = http.send(request(URI.create(base + "/v2/" + repo + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            if (start.statusCode() != 202) {
                throw new IllegalStateException("blob upload start for " + repo + ": " + start.statusCode());
            }
            URI upload = URI.create(base).resolve(start.headers().firstValue("Location").orElseThrow());
            String digest = sha256(content);
            String sep = upload.getQuery() == null ? "?" : "&";
            HttpResponse<Void> put = http.send(request(URI.create(upload + sep + "digest=" + digest))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.discarding());
            if (put.statusCode() != 201) {
                throw new IllegalStateException("blob upload for " + repo + ": " + put.statusCode());
            }
            return digest;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Pushes a small single-platform OCI image (config + one unique layer) under {@code tag}; its config
     * carries {@code created}, which is what push-time retention reads.
     */
    public Pushed pushImage(String repo, String tag, String arch, Instant created, String salt) {
        return pushImage(repo, List.of(tag), arch, created, salt);
    }

    /**
     * The same under every tag, or by digest only when {@code tags} is empty. Same salt, arch and
     * created give the same digest; {@code created} null leaves it out, as attestation manifests do.
     */
    public Pushed pushImage(String repo, List<String> tags, String arch, Instant created, String salt) {
        byte[] layer = ("layer " + repo + " " + arch + " " + salt).getBytes(StandardCharsets.UTF_8);
        String layerDigest = pushBlob(repo, layer);
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\"" + (created != null ? ",\"created\":\"" + created + "\"" : "")
                + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layerDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = pushBlob(repo, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}";
        return putUnderTags(repo, tags, OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8), arch);
    }

    /** Pushes an OCI index over {@code children} under {@code tag}. */
    public Pushed pushIndex(String repo, String tag, List<Pushed> children) {
        return pushIndex(repo, List.of(tag), children);
    }

    /** The same under every tag, or by digest only when {@code tags} is empty. */
    public Pushed pushIndex(String repo, List<String> tags, List<Pushed> children) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[");
        for (int i = 0; i < children.size(); i++) {
            Pushed c = children.get(i);
            json.append(i > 0 ? "," : "").append("{\"mediaType\":\"").append(c.mediaType()).append("\",\"digest\":\"")
                    .append(c.digest()).append("\",\"size\":").append(c.size())
                    .append(",\"platform\":{\"architecture\":\"").append(c.arch()).append("\",\"os\":\"linux\"}}");
        }
        json.append("]}");
        return putUnderTags(repo, tags, OCI_INDEX, json.toString().getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * A worker's per-arch push with provenance, as buildx {@code --provenance} lays it out: the image (by
     * digest), an attestation manifest over it (by digest; an in-toto layer naming the image as subject,
     * platform {@code unknown/unknown}), and under {@code tag} an index of the two with buildx's
     * {@code vnd.docker.reference.*} annotations.
     */
    public ProvenancePush pushProvenanceIndex(String repo, String tag, String arch, Instant created, String salt) {
        Pushed image = pushImage(repo, List.of(), arch, created, salt);
        byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
                + "\"subject\":[{\"name\":\"" + repo + "\",\"digest\":{\"sha256\":\"" + image.digest().substring("sha256:".length())
                + "\"}}],\"predicate\":{}}").getBytes(StandardCharsets.UTF_8);
        String statementDigest = pushBlob(repo, statement);
        byte[] config = "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = pushBlob(repo, config);
        String attestationJson = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" + statementDigest + "\",\"size\":"
                + statement.length + ",\"annotations\":{\"in-toto.io/predicate-type\":\"https://slsa.dev/provenance/v0.2\"}}]}";
        Pushed attestation = putUnderTags(repo, List.of(), OCI_MANIFEST, attestationJson.getBytes(StandardCharsets.UTF_8), "unknown");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + image.digest() + "\",\"size\":" + image.size()
                + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + attestation.digest() + "\",\"size\":" + attestation.size()
                + ",\"annotations\":{\"vnd.docker.reference.digest\":\"" + image.digest() + "\","
                + "\"vnd.docker.reference.type\":\"attestation-manifest\"},"
                + "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";
        Pushed pushedIndex = putUnderTags(repo, List.of(tag), OCI_INDEX, index.getBytes(StandardCharsets.UTF_8), null);
        return new ProvenancePush(pushedIndex, image, attestation);
    }

    /** What {@link #pushProvenanceIndex} pushed: the tagged per-arch index, the image and its attestation. */
    public record ProvenancePush(Pushed index, Pushed image, Pushed attestation) {
    }

    private Pushed putUnderTags(String repo, List<String> tags, String mediaType, byte[] body, String arch) {
        if (tags.isEmpty()) {
            return putManifest(repo, sha256(body), mediaType, body, arch);
        }
        Pushed pushed = null;
        for (String tag : tags) {
            pushed = putManifest(repo, tag, mediaType, body, arch);
        }
        return pushed;
    }

    /**
     * Uploads into {@code toRepo} every blob (configs and layers) of the image or index at {@code fromRepo:reference},
     * pulled and pushed again; the manifests are not copied. Returns the number of blobs.
     */
    public int copyBlobs(String fromRepo, String reference, String toRepo) {
        // an index without a mediaType field is still told apart (manifests, no config)
        Manifest manifest = Manifest.parse(getBytes("/v2/" + fromRepo + "/manifests/" + reference), null);
        if (manifest.isIndex()) {
            return manifest.children().stream().mapToInt(child -> copyBlobs(fromRepo, child.digest(), toRepo)).sum();
        }
        List<Descriptor> blobs = new ArrayList<>(manifest.layers());
        blobs.add(manifest.config());
        for (Descriptor blob : blobs) {
            pushBlob(toRepo, getBytes("/v2/" + fromRepo + "/blobs/" + blob.digest()));
        }
        return blobs.size();
    }

    /** Pushes raw manifest bytes under a tag or digest. */
    public Pushed putManifest(String repo, String reference, String mediaType, byte[] body, String arch) {
        HttpResponse<String> put = send(request(URI.create(base + "/v2/" + repo + "/manifests/" + reference))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        if (put.statusCode() != 201) {
            throw new IllegalStateException("manifest push " + repo + ":" + reference + ": " + put.statusCode() + " " + put.body());
        }
        return new Pushed(sha256(body), body.length, mediaType, arch);
    }

    public HttpResponse<String> get(String path) {
        return send(request(URI.create(base + path)).header("Accept", ACCEPT_ALL).build());
    }

    /** A path's body as the registry's bytes (a blob whose signature is checked must not pass through a String). */
    public byte[] getBytes(String path) {
        try {
            HttpResponse<byte[]> r = http.send(request(URI.create(base + path)).header("Accept", ACCEPT_ALL).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + r.statusCode());
            }
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int headStatus(String path) {
        return send(request(URI.create(base + path)).header("Accept", ACCEPT_ALL)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build()).statusCode();
    }

    public HttpResponse<String> head(String path) {
        return send(request(URI.create(base + path)).header("Accept", ACCEPT_ALL)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    public HttpResponse<String> delete(String path) {
        return send(request(URI.create(base + path)).DELETE().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
