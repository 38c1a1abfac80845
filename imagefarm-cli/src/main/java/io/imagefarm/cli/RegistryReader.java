package io.imagefarm.cli;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.AuthChallenge;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.core.registry.RegistryHosts;
import io.imagefarm.core.registry.RegistryToken;
import io.imagefarm.core.signature.ContentReader;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry reads of {@code verify}, on the JDK's HTTP client: the CLI is a plain jar and the project's
 * registry client needs Quarkus' REST client. Read-only: manifests (with the full Accept list) and blobs,
 * each checked against its digest. Auth as the registry client does it: anonymous first, then the
 * {@code WWW-Authenticate} challenge: a Bearer token from its realm (with the credentials if given, which a
 * public ghcr.io image does not need) or Basic with the credentials. Loopback registries are reached over
 * http, others over https unless listed as plain-http.
 */
final class RegistryReader implements ContentReader {

    /** distribution's own limit for a manifest. */
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final int MAX_BLOB_BYTES = 16 * 1024 * 1024;

    /** A username and password for the registry; {@link #toString()} hides the password. */
    record Credentials(String username, String password) {
        String basic() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    /** Redirects are followed by hand: a blob's storage (ghcr.io's CDN) gets no registry credentials. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final int MAX_REDIRECTS = 5;
    private final Optional<Credentials> credentials;
    private final boolean plainHttp;
    /** Authorization header by registry and scope. */
    private final Map<String, String> authorizations = new HashMap<>();

    RegistryReader(Optional<Credentials> credentials, boolean plainHttp) {
        this.credentials = credentials;
        this.plainHttp = plainHttp;
    }

    @Override
    public Optional<Fetched> manifest(ImageRef ref) {
        HttpResponse<byte[]> r = get(ref.repo(), "/manifests/" + ref.reference(), MediaTypes.MANIFEST_ACCEPT_HEADER);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        requireOk(r, "GET manifest " + ref);
        byte[] body = r.body();
        if (body.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException("manifest " + ref + " is larger than " + MAX_MANIFEST_BYTES + " bytes", 200, null);
        }
        String digest = sha256(body);
        if (ref.digest() != null && !ref.digest().equals(digest)) {
            throw new RegistryException("manifest " + ref + " does not match its digest (computed " + digest + ")", 200, "DIGEST_INVALID");
        }
        String contentType = r.headers().firstValue("Content-Type").map(t -> t.replaceAll(";.*", "").strip()).orElse(null);
        try {
            return Optional.of(new Fetched(digest, Manifest.parse(body, contentType)));
        } catch (IllegalArgumentException e) {
            throw new RegistryException("manifest " + ref + " is not a manifest: " + e.getMessage(), 200, "MANIFEST_INVALID");
        }
    }

    @Override
    public byte[] blob(Repository repository, String digest) {
        HttpResponse<byte[]> r = get(repository, "/blobs/" + digest, "*/*");
        requireOk(r, "GET blob " + repository + "@" + digest);
        if (r.body().length > MAX_BLOB_BYTES || !sha256(r.body()).equals(digest)) {
            throw new RegistryException("blob " + repository + "@" + digest + " does not match its digest", 200, "DIGEST_INVALID");
        }
        return r.body();
    }

    private HttpResponse<byte[]> get(Repository repository, String path, String accept) {
        String scope = repository.scope("pull");
        String key = repository.registry() + " " + scope;
        URI uri = URI.create(scheme(repository.registry()) + "://" + repository.registry() + "/v2/" + repository.path() + path);
        HttpResponse<byte[]> r = send(uri, accept, authorizations.get(key));
        if (r.statusCode() != 401) {
            return r;
        }
        Optional<AuthChallenge> challenge = AuthChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
        String authorization;
        if (challenge.isPresent() && challenge.get().isBearer()) {
            authorization = "Bearer " + token(repository.registry(), challenge.get(), scope);
        } else if (challenge.isPresent() && challenge.get().isBasic() && credentials.isPresent()) {
            authorization = credentials.get().basic();
        } else {
            return r;
        }
        authorizations.put(key, authorization);
        return send(uri, accept, authorization);
    }

    private String token(String registry, AuthChallenge challenge, String scope) {
        String realm = challenge.realm(registry);
        String tokenScope = challenge.scope(scope);
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?")
                .append("scope=").append(URLEncoder.encode(tokenScope, StandardCharsets.UTF_8));
        challenge.service().ifPresent(service -> url.append("&service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)));
        // realm() checked it is a URL; the parameters added are URL-encoded
        HttpResponse<byte[]> r = send(URI.create(url.toString()), "application/json", credentials.map(Credentials::basic).orElse(null));
        if (r.statusCode() != 200) {
            throw new RegistryException("token endpoint " + realm + " refused scope " + tokenScope + " (" + r.statusCode() + ")",
                    r.statusCode(), "UNAUTHORIZED");
        }
        return RegistryToken.parse(realm, r.body()).value();
    }

    /** GET, following up to {@value #MAX_REDIRECTS} redirects; the Authorization goes to {@code uri}'s host only. */
    private HttpResponse<byte[]> send(URI uri, String accept, String authorization) {
        HttpResponse<byte[]> r = sendOnce(uri, accept, authorization);
        for (int i = 0; i < MAX_REDIRECTS && r.statusCode() / 100 == 3; i++) {
            Optional<String> location = r.headers().firstValue("Location");
            if (location.isEmpty()) {
                return r;
            }
            URI next = r.uri().resolve(location.get());
            boolean sameOrigin = next.getScheme().equals(uri.getScheme()) && next.getAuthority().equals(uri.getAuthority());
            r = sendOnce(next, accept, sameOrigin ? authorization : null);
        }
        return r;
    }

    private HttpResponse<byte[]> sendOnce(URI uri, String accept, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", accept).timeout(Duration.ofSeconds(60)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RegistryException("registry " + uri.getAuthority() + " unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : ""), 0, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while reading " + uri, 0, null, e);
        }
    }

    private static void requireOk(HttpResponse<byte[]> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new RegistryException(what + " failed: " + r.statusCode(), r.statusCode(), null);
        }
    }

    private String scheme(String registry) {
        return plainHttp ? "http" : RegistryHosts.scheme(registry, Set.of());
    }

    private static String sha256(byte[] bytes) {
        try {
            StringBuilder hex = new StringBuilder("sha256:");
            for (byte b : MessageDigest.getInstance("SHA-256").digest(bytes)) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
