package io.imagefarm.janitor.backend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local HTTP stub of the two ghcr.io surfaces the janitor uses, answering in GitHub's documented
 * shapes (docs.github.com/rest/packages/packages): package versions listed with {@code per_page}/{@code page}
 * and a {@code Link} header ({@code rel="next"}, {@code rel="last"}, URLs in GitHub's
 * {@code /organizations/<id>/...} form), {@code 404 {"message":"Package not found."}}, {@code 204} deletes,
 * {@code 400} "You cannot delete the last tagged version of a package", {@code 401 Bad credentials}, and
 * injectable {@code 429 retry-after} / {@code 403 x-ratelimit-remaining: 0} answers. It also serves each
 * version's manifest on the registry API ({@code /v2/<name>/manifests/<digest>}), as ghcr.io does.
 * ghcr.io itself cannot be reached from here; this is what the contract tests run against.
 */
public final class GhcrStub implements AutoCloseable {

    public static final String TOKEN = "test-token";
    public static final String LAST_TAGGED = "You cannot delete the last tagged version of a package. You must delete the package instead.";

    /** A version as the stub holds it. */
    public record Version(long id, String digest, List<String> tags, Instant createdAt) {
    }

    /** An injected answer for the next matching request. */
    public record Fault(String method, int status, Map<String, String> headers, String message) {
    }

    private final HttpServer server;
    private final Map<String, List<Version>> packages = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong ids = new AtomicLong(1000);

    public GhcrStub() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the GitHub Packages stub", e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized void reset() {
        packages.clear();
        faults.clear();
        requests.clear();
    }

    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public synchronized void inject(Fault fault) {
        faults.add(fault);
    }

    /** Adds a single-platform image version to {@code owners/owner/package} (e.g. {@code orgs/acme/widget}). */
    public Version image(String pkgKey, Instant created, String... tags) {
        long id = ids.incrementAndGet();
        String body = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(("config" + id).getBytes()) + "\",\"size\":" + (100 + id) + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + sha256(("layer" + id).getBytes()) + "\",\"size\":" + (10000 + id) + "}]}";
        return add(pkgKey, body, created, tags, id);
    }

    /** Adds a multi-arch index version over earlier versions of the same package. */
    public Version index(String pkgKey, Instant created, List<Version> children, String... tags) {
        long id = ids.incrementAndGet();
        StringBuilder body = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
        for (int i = 0; i < children.size(); i++) {
            body.append(i > 0 ? "," : "").append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
                    .append(children.get(i).digest()).append("\",\"size\":500,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}");
        }
        body.append("]}");
        return add(pkgKey, body.toString(), created, tags, id);
    }

    private Version add(String pkgKey, String body, Instant created, String[] tags, long id) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String digest = sha256(bytes);
        manifests.put(digest, bytes);
        Version v = new Version(id, digest, List.of(tags), created);
        packages.computeIfAbsent(pkgKey, k -> Collections.synchronizedList(new ArrayList<>())).add(v);
        return v;
    }

    public List<Version> versions(String pkgKey) {
        return List.copyOf(packages.getOrDefault(pkgKey, List.of()));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            URI uri = ex.getRequestURI();
            String rawPath = uri.getRawPath();
            requests.add(method + " " + rawPath + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : ""));
            if (rawPath.startsWith("/v2/")) {
                registry(ex, method, rawPath);
                return;
            }
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                json(ex, 401, Map.of(), "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\"}");
                return;
            }
            if (!"2022-11-28".equals(ex.getRequestHeaders().getFirst("X-GitHub-Api-Version"))) {
                json(ex, 400, Map.of(), "{\"message\":\"missing X-GitHub-Api-Version\"}");
                return;
            }
            Fault fault;
            synchronized (this) {
                fault = !faults.isEmpty() && faults.peek().method().equals(method) ? faults.poll() : null;
            }
            if (fault != null) {
                json(ex, fault.status(), fault.headers(), "{\"message\":\"" + fault.message() + "\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api\"}");
                return;
            }
            // /{orgs|users}/{owner}/packages/container/{package}/versions[/{id}]
            String[] parts = rawPath.substring(1).split("/");
            if (parts.length < 6 || !parts[2].equals("packages") || !parts[3].equals("container") || !parts[5].equals("versions")) {
                json(ex, 404, Map.of(), "{\"message\":\"Not Found\"}");
                return;
            }
            String pkgKey = parts[0] + "/" + parts[1] + "/" + URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
            List<Version> versions = packages.get(pkgKey);
            if (versions == null) {
                json(ex, 404, Map.of(), "{\"message\":\"Package not found.\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest/packages/packages\"}");
                return;
            }
            if (method.equals("GET") && parts.length == 6) {
                list(ex, parts, versions, uri);
            } else if (method.equals("DELETE") && parts.length == 7) {
                delete(ex, versions, Long.parseLong(parts[6]));
            } else {
                json(ex, 404, Map.of(), "{\"message\":\"Not Found\"}");
            }
        }
    }

    private void list(HttpExchange ex, String[] parts, List<Version> versions, URI uri) throws IOException {
        Map<String, String> q = query(uri);
        int perPage = Math.min(100, Integer.parseInt(q.getOrDefault("per_page", "30")));
        int page = Integer.parseInt(q.getOrDefault("page", "1"));
        List<Version> snapshot;
        synchronized (versions) {
            snapshot = List.copyOf(versions);
        }
        int last = Math.max(1, (snapshot.size() + perPage - 1) / perPage);
        StringBuilder body = new StringBuilder("[");
        List<Version> pageItems = snapshot.subList(Math.min(snapshot.size(), (page - 1) * perPage), Math.min(snapshot.size(), page * perPage));
        for (int i = 0; i < pageItems.size(); i++) {
            Version v = pageItems.get(i);
            String url = "https://api.github.com/" + parts[0] + "/" + parts[1] + "/packages/container/" + parts[4] + "/versions/" + v.id();
            body.append(i > 0 ? "," : "").append("{\"id\":").append(v.id()).append(",\"name\":\"").append(v.digest())
                    .append("\",\"url\":\"").append(url).append("\",\"package_html_url\":\"https://github.com/").append(parts[1])
                    .append("/packages/container/package/").append(parts[4]).append("\",\"created_at\":\"").append(v.createdAt())
                    .append("\",\"updated_at\":\"").append(v.createdAt()).append("\",\"html_url\":\"https://github.com/")
                    .append(parts[1]).append("/packages/container/").append(parts[4]).append("/").append(v.id())
                    .append("\",\"metadata\":{\"package_type\":\"container\",\"container\":{\"tags\":[");
            for (int t = 0; t < v.tags().size(); t++) {
                body.append(t > 0 ? "," : "").append('"').append(v.tags().get(t)).append('"');
            }
            body.append("]}}}");
        }
        body.append("]");
        String base = "http://" + host() + "/organizations/4242/packages/container/" + parts[4] + "/versions?per_page=" + perPage
                + "&state=active&page=";
        List<String> links = new ArrayList<>();
        if (page < last) {
            links.add("<" + base + (page + 1) + ">; rel=\"next\"");
            links.add("<" + base + last + ">; rel=\"last\"");
        }
        if (page > 1) {
            links.add("<" + base + 1 + ">; rel=\"first\"");
            links.add("<" + base + (page - 1) + ">; rel=\"prev\"");
        }
        json(ex, 200, links.isEmpty() ? Map.of() : Map.of("Link", String.join(", ", links)), body.toString());
    }

    private void delete(HttpExchange ex, List<Version> versions, long id) throws IOException {
        synchronized (versions) {
            Version v = versions.stream().filter(x -> x.id() == id).findFirst().orElse(null);
            if (v == null) {
                json(ex, 404, Map.of(), "{\"message\":\"Package version not found.\"}");
                return;
            }
            long tagged = versions.stream().filter(x -> !x.tags().isEmpty()).count();
            if (!v.tags().isEmpty() && tagged == 1) {
                json(ex, 400, Map.of(), "{\"message\":\"" + LAST_TAGGED + "\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest/packages/packages#delete-package-version-for-an-organization\"}");
                return;
            }
            versions.remove(v);
        }
        ex.sendResponseHeaders(204, -1);
    }

    private void registry(HttpExchange ex, String method, String rawPath) throws IOException {
        int at = rawPath.indexOf("/manifests/");
        byte[] body = at < 0 ? null : manifests.get(rawPath.substring(at + "/manifests/".length()));
        if (body == null) {
            json(ex, 404, Map.of(), "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
            return;
        }
        String type = new String(body, StandardCharsets.UTF_8).contains("image.index") ? "application/vnd.oci.image.index.v1+json"
                : "application/vnd.oci.image.manifest.v1+json";
        ex.getResponseHeaders().add("Content-Type", type);
        ex.getResponseHeaders().add("Docker-Content-Digest", sha256(body));
        if (method.equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void json(HttpExchange ex, int status, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
