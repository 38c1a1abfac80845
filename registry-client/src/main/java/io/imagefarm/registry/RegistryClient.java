package io.imagefarm.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.core.registry.RegistryException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The OCI distribution API client all three services share (go-containerregistry's {@code remote}
 * shape): the OCI operations, each manifest request with the full Accept list. A 404 is an answer,
 * never cached. Blocking: call it from worker threads. Two layers sit below, as {@code transport/} sits
 * below {@code remote/} there:
 * <ul>
 *   <li>{@link RegistryAuthenticator}: anonymous, basic and Bearer-token auth from the
 *       {@code WWW-Authenticate} challenge, tokens cached until they expire ({@link TokenCache});</li>
 *   <li>{@link RegistryTransport}: 408/429/5xx and I/O failures retried with exponential backoff,
 *       honouring {@code Retry-After}, and the REST client pool.</li>
 * </ul>
 *
 * <p>One per process: it keeps one REST client per registry host (and per token endpoint), whatever
 * the number of repositories, and {@link #close()} closes them all; services close it from a CDI disposer.
 */
public final class RegistryClient implements AutoCloseable {

    private static final ObjectMapper JSON = EventCodec.mapper();

    /** Waits between attempts; tests replace it to avoid real waiting. */
    @FunctionalInterface
    public interface Backoff {
        void pause(Duration duration) throws InterruptedException;
    }

    private final RegistryClientSettings settings;
    private final RegistryTransport transport;
    private final RegistryAuthenticator authenticator;

    public RegistryClient(RegistryClientSettings settings) {
        this(settings, d -> TimeUnit.MILLISECONDS.sleep(d.toMillis()), Clock.systemUTC());
    }

    public RegistryClient(RegistryClientSettings settings, Backoff backoff, Clock clock) {
        this.settings = settings;
        this.transport = new RegistryTransport(settings, backoff);
        this.authenticator = new RegistryAuthenticator(settings, transport, new TokenCache(clock));
    }

    /**
     * Whether the registry answers its API base ({@code GET /v2/}): 200, or 401 asking for auth, both
     * mean it is up. For readiness checks; no retries, so an outage shows at once.
     */
    public boolean ping(String registry) {
        try (Response r = api(registry).ping()) {
            return r.getStatus() < 500;
        } catch (ProcessingException e) {
            return false;
        }
    }

    /** Whether the tag or digest resolves, to an index or a manifest alike. Empty on 404. */
    public Optional<ManifestHead> headManifest(ImageRef ref) {
        Repository repo = ref.repo();
        try (Response r = call(repo, repo.scope("pull"),
                auth -> api(repo.registry()).headManifest(repo.path(), ref.reference(), MediaTypes.MANIFEST_ACCEPT_HEADER, auth))) {
            if (r.getStatus() == 404) {
                return Optional.empty();
            }
            requireSuccess(r, "HEAD manifest " + ref);
            String digest = r.getHeaderString("Docker-Content-Digest");
            if (digest == null) {
                // Some registries omit the digest on HEAD; GET and hash the body instead.
                return getManifest(ref).map(m -> new ManifestHead(m.digest(), m.mediaType(), m.body().length));
            }
            return Optional.of(new ManifestHead(digest, mediaType(r), r.getLength()));
        }
    }

    /** The manifest or index, verified against its digest. Empty on 404. */
    public Optional<FetchedManifest> getManifest(ImageRef ref) {
        Repository repo = ref.repo();
        try (Response r = call(repo, repo.scope("pull"),
                auth -> api(repo.registry()).getManifest(repo.path(), ref.reference(), MediaTypes.MANIFEST_ACCEPT_HEADER, auth))) {
            if (r.getStatus() == 404) {
                return Optional.empty();
            }
            requireSuccess(r, "GET manifest " + ref);
            byte[] body = r.readEntity(byte[].class);
            String digest = sha256(body);
            String served = r.getHeaderString("Docker-Content-Digest");
            if ((served != null && !served.equals(digest)) || (ref.digest() != null && !ref.digest().equals(digest))) {
                throw new RegistryException("manifest " + ref + " does not match its digest (computed " + digest + ")", 200, "DIGEST_INVALID");
            }
            String mediaType = mediaType(r);
            return Optional.of(new FetchedManifest(digest, mediaType, body, Manifest.parse(body, mediaType)));
        }
    }

    /**
     * Pushes a manifest or index under a tag (or digest); returns its digest.
     *
     * <p>A PUT by tag names no digest, so a 400 DIGEST_INVALID cannot be about its body: distribution's
     * filesystem storage answers it while another request rewrites the link file of a blob the manifest
     * references (its check reads the link empty), as when two signers push the same payload at once. That
     * answer is asked again like a 5xx.
     */
    public String putManifest(ImageRef ref, String mediaType, byte[] body) {
        Repository repo = ref.repo();
        Predicate<Response> linkRace = r -> ref.digest() == null && r.getStatus() == 400
                && "DIGEST_INVALID".equals(ErrorBody.of(r).code());
        try (Response r = call(repo, repo.scope("pull", "push"),
                auth -> api(repo.registry()).putManifest(repo.path(), ref.reference(), mediaType, auth, body), linkRace)) {
            requireSuccess(r, "PUT manifest " + ref);
            String digest = sha256(body);
            String served = r.getHeaderString("Docker-Content-Digest");
            if (served != null && !served.equals(digest)) {
                throw new RegistryException("registry stored manifest " + ref + " as " + served + ", expected " + digest, r.getStatus(), "DIGEST_INVALID");
            }
            return digest;
        }
    }

    /**
     * Deletes a manifest by digest (removing every tag on it). 404 counts as already gone. A registry
     * with deletion disabled answers 405 UNSUPPORTED: that is thrown as a permanent {@link RegistryException}.
     */
    public DeleteOutcome deleteManifest(ImageRef refWithDigest) {
        if (refWithDigest.digest() == null) {
            throw new IllegalArgumentException("delete by digest only, never by tag: " + refWithDigest);
        }
        Repository repo = refWithDigest.repo();
        try (Response r = call(repo, repo.scope("delete"),
                auth -> api(repo.registry()).deleteManifest(repo.path(), refWithDigest.digest(), auth))) {
            if (r.getStatus() == 404) {
                return DeleteOutcome.ALREADY_GONE;
            }
            requireSuccess(r, "DELETE manifest " + refWithDigest);
            return DeleteOutcome.DELETED;
        }
    }

    /** Every tag of a repository, following {@code Link: <...>; rel="next"}, relative or absolute. Empty if it has none. */
    public List<String> listTags(Repository repository) {
        List<String> tags = new ArrayList<>();
        Integer pageSize = settings.tagsPageSize();
        String last = null;
        while (true) {
            Integer n = pageSize;
            String from = last;
            try (Response r = call(repository, repository.scope("pull"),
                    auth -> api(repository.registry()).listTags(repository.path(), n, from, auth))) {
                if (r.getStatus() == 404) {
                    return tags;
                }
                requireSuccess(r, "list tags of " + repository);
                JsonNode body = JSON.readTree(r.readEntity(byte[].class));
                body.path("tags").forEach(t -> tags.add(t.asText()));
                String link = r.getHeaderString("Link");
                Optional<URI> next = LinkHeader.next(link);
                if (next.isEmpty()) {
                    return tags;
                }
                Map<String, String> query = LinkHeader.query(next.get());
                String nextLast = query.get("last");
                if (nextLast == null || nextLast.equals(last)) {
                    throw new RegistryException("tag pagination of " + repository + " does not advance: " + link, r.getStatus(), null);
                }
                last = nextLast;
                pageSize = query.containsKey("n") ? Integer.valueOf(query.get("n")) : pageSize;
            } catch (IOException e) {
                throw new RegistryException("tag list of " + repository + " is not JSON: " + e.getMessage(), 200, null, e);
            }
        }
    }

    /** A blob's bytes, verified against its digest (configs are small; layers are never read this way). */
    public byte[] getBlob(Repository repository, String digest) {
        ImageRef ref = repository.digest(digest);
        try (Response r = call(repository, repository.scope("pull"),
                auth -> api(repository.registry()).getBlob(repository.path(), digest, auth))) {
            requireSuccess(r, "GET blob " + ref);
            byte[] body = r.readEntity(byte[].class);
            if (!sha256(body).equals(digest)) {
                throw new RegistryException("blob " + ref + " does not match its digest", 200, "DIGEST_INVALID");
            }
            return body;
        }
    }

    /**
     * Uploads a blob unless the repository has it already (a HEAD first), in one PUT after the upload's
     * POST; returns its digest. For small blobs (signature payloads, configs): the bytes are in memory.
     */
    public String pushBlob(Repository repository, byte[] content) {
        String digest = sha256(content);
        String push = repository.scope("pull", "push");
        try (Response head = call(repository, push, auth -> api(repository.registry()).headBlob(repository.path(), digest, auth))) {
            if (head.getStatus() == 200) {
                return digest;
            }
        }
        String location;
        try (Response start = call(repository, push, auth -> api(repository.registry()).startBlobUpload(repository.path(), auth))) {
            requireSuccess(start, "POST blob upload to " + repository);
            location = start.getHeaderString("Location");
        }
        if (location == null) {
            throw new RegistryException("blob upload to " + repository + " answered without a Location", 202, null);
        }
        URI upload = URI.create(location);
        String path = upload.getRawPath();
        int v2 = path == null ? -1 : path.indexOf("/v2/");
        if (v2 < 0) {
            throw new RegistryException("blob upload to " + repository + " answered an unexpected Location " + location, 202, null);
        }
        String below = path.substring(v2 + 4);
        Map<String, String> query = new java.util.LinkedHashMap<>(LinkHeader.query(upload));
        query.put("digest", digest);
        try (Response put = call(repository, push, auth -> api(repository.registry())
                .completeBlobUpload(below, query, "application/octet-stream", auth, content))) {
            requireSuccess(put, "PUT blob " + digest + " to " + repository);
        }
        return digest;
    }

    /**
     * When an image was built, from its config's {@code created}. Empty when the config is not an image
     * config (a cache manifest's is not), is gone (404), or does not say: callers keep what they cannot date.
     */
    public Optional<Instant> configCreated(Repository repository, Descriptor config) {
        if (!MediaTypes.isImageConfig(config.mediaType())) {
            return Optional.empty();
        }
        try {
            return Manifests.configCreated(getBlob(repository, config.digest()));
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Closes every REST client this client created; it cannot be used afterwards. */
    @Override
    public void close() {
        transport.close();
    }

    // ---------------------------------------------------------------------------------------- plumbing

    /** Runs {@code op} (given the Authorization header) with the authorization {@code scope} needs, retrying transient failures. */
    private Response call(Repository repository, String scope, Function<String, Response> op) {
        return authenticator.send(repository.registry(), scope, op);
    }

    /** As {@link #call(Repository, String, Function)}, also retrying the answers {@code transientHere} marks. */
    private Response call(Repository repository, String scope, Function<String, Response> op, Predicate<Response> transientHere) {
        return authenticator.send(repository.registry(), scope, op, transientHere);
    }

    private static void requireSuccess(Response r, String what) {
        int status = r.getStatus();
        if (status >= 200 && status < 300) {
            return;
        }
        ErrorBody error = ErrorBody.of(r);
        throw new RegistryException(what + " failed: " + status + (error.code() != null ? " " + error.code() : "")
                + (error.message() != null ? " (" + error.message() + ")" : ""), status, error.code());
    }

    /** The first error of a distribution error body; nulls when the body is none. Buffers it, so it can be read again. */
    private record ErrorBody(String code, String message) {

        static ErrorBody of(Response r) {
            if (!r.hasEntity()) {
                return new ErrorBody(null, null);
            }
            try {
                r.bufferEntity();
                JsonNode error = JSON.readTree(r.readEntity(byte[].class)).path("errors").path(0);
                return new ErrorBody(error.path("code").asText(null), error.path("message").asText(null));
            } catch (RuntimeException | IOException e) {
                return new ErrorBody(null, null); // not a distribution error body; the status says enough
            }
        }
    }

    /** The one REST client of a registry host, for every repository there. */
    private RegistryApi api(String registry) {
        return transport.registry(registry);
    }

    private static String mediaType(Response r) {
        String type = r.getHeaderString("Content-Type");
        if (type == null) {
            return null;
        }
        int semicolon = type.indexOf(';');
        return (semicolon >= 0 ? type.substring(0, semicolon) : type).trim();
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
