package io.imagefarm.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for GitHub Actions' OIDC issuer, for contract tests and the demo: GitHub's issuer
 * cannot be reached from here. Over real HTTP on loopback it serves what the real one does, an OIDC
 * discovery document and a JWKS with real RSA keys, and it mints RS256 ID tokens with GitHub's claim
 * names ({@code repository}, {@code repository_owner}, {@code sha}, {@code ref}, {@code job_workflow_ref}, ...).
 * {@link #rotate()} adds a new key (new {@code kid}) and signs with it from then on, as GitHub does when
 * it rotates. Only the JDK is used, so the demo runs it from {@code test-support/target/classes}.
 *
 * <p>{@code GET /mint?repository=..&sha=..&aud=..} returns a token: for the demo only, on loopback.
 * {@code GET /actions/idtoken?repository=..&sha=..&audience=..} answers as the Actions runtime answers a
 * job's token request (the composite action's contract test).
 */
public final class LocalOidcIssuer implements AutoCloseable {

    private record Key(String kid, KeyPair pair) {
    }

    private final HttpServer server;
    private final List<Key> keys = new ArrayList<>();

    private LocalOidcIssuer(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port with one signing key. */
    public static LocalOidcIssuer start() {
        return start(0);
    }

    public static LocalOidcIssuer start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            LocalOidcIssuer issuer = new LocalOidcIssuer(server);
            issuer.rotate();
            server.createContext("/.well-known/openid-configuration", ex -> issuer.reply(ex, 200, issuer.discovery()));
            server.createContext("/.well-known/jwks", ex -> issuer.reply(ex, 200, issuer.jwks()));
            server.createContext("/mint", issuer::mintFromQuery);
            server.createContext("/actions/idtoken", issuer::actionsTokenRequest);
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new MissingPartError("a loopback port for the local OIDC issuer", e.getMessage());
        }
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new signing key with a new {@code kid}; the old keys stay published, as during a real rotation. */
    public synchronized String rotate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            Key key = new Key("imagefarm-test-" + UUID.randomUUID(), generator.generateKeyPair());
            keys.add(key);
            return key.kid();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is part of every JRE", e);
        }
    }

    /** Claims of a GitHub Actions job of {@code repository} at {@code sha} on main, valid now, for {@code audience}. */
    public static Map<String, Object> githubClaims(String issuer, String audience, String repository, String sha) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("sub", "repo:" + repository + ":ref:refs/heads/main");
        claims.put("iat", now);
        claims.put("nbf", now - 5);
        claims.put("exp", now + 300);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("repository", repository);
        claims.put("repository_owner", repository.substring(0, repository.indexOf('/')));
        claims.put("sha", sha);
        claims.put("ref", "refs/heads/main");
        claims.put("job_workflow_ref", repository + "/.github/workflows/ci.yml@refs/heads/main");
        claims.put("event_name", "push");
        claims.put("actor", "octocat");
        return claims;
    }

    public Map<String, Object> githubClaims(String audience, String repository, String sha) {
        return githubClaims(issuer(), audience, repository, sha);
    }

    /** Signed with the newest key. */
    public synchronized String mint(Map<String, Object> claims) {
        return sign(claims, keys.get(keys.size() - 1));
    }

    /** Signed with a key this issuer never published: what a forger would present. */
    public static String mintWithUnknownKey(Map<String, Object> claims) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return sign(claims, new Key("forged", generator.generateKeyPair()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same token valid for {@code lifetime} from {@code from}. */
    public static Map<String, Object> validity(Map<String, Object> claims, Instant from, Duration lifetime) {
        Map<String, Object> c = new LinkedHashMap<>(claims);
        c.put("iat", from.getEpochSecond());
        c.put("nbf", from.getEpochSecond());
        c.put("exp", from.plus(lifetime).getEpochSecond());
        return c;
    }

    private static String sign(Map<String, Object> claims, Key key) {
        String header = b64(json(Map.of("alg", "RS256", "typ", "JWT", "kid", key.kid())));
        String payload = b64(json(claims));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key.pair().getPrivate());
            rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    private String discovery() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer());
        doc.put("jwks_uri", issuer() + "/.well-known/jwks");
        doc.put("subject_types_supported", List.of("public", "pairwise"));
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("claims_supported", List.of("sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository",
                "repository_owner", "job_workflow_ref", "actor", "event_name"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("scopes_supported", List.of("openid"));
        return json(doc);
    }

    private synchronized String jwks() {
        List<Object> list = new ArrayList<>();
        for (Key key : keys) {
            RSAPublicKey pub = (RSAPublicKey) key.pair().getPublic();
            Map<String, Object> jwk = new LinkedHashMap<>();
            jwk.put("kty", "RSA");
            jwk.put("alg", "RS256");
            jwk.put("use", "sig");
            jwk.put("kid", key.kid());
            jwk.put("n", b64(unsigned(pub.getModulus())));
            jwk.put("e", b64(unsigned(pub.getPublicExponent())));
            list.add(jwk);
        }
        return json(Map.of("keys", list));
    }

    private void mintFromQuery(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        if (q.get("repository") == null || !q.get("repository").contains("/")) {
            reply(ex, 400, json(Map.of("error", "repository=OWNER/NAME is required")));
            return;
        }
        Map<String, Object> claims = githubClaims(q.getOrDefault("aud", "imagefarm"), q.get("repository"), q.getOrDefault("sha", "0".repeat(40)));
        if (q.containsKey("ref")) {
            claims.put("ref", q.get("ref"));
        }
        reply(ex, 200, mint(claims), "text/plain");
    }

    /**
     * The Actions runtime's token request, as a job's step makes it: {@code GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=..}
     * with {@code Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN}, answered {@code {"value": "<token>"}}. The
     * runtime's URL names its job; here {@code repository} and {@code sha} do. Any request token is taken (the
     * runtime's is per job); none is a 401, and without {@code audience} the runtime's default applies, the
     * repository owner's URL.
     */
    private void actionsTokenRequest(HttpExchange ex) throws IOException {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "bearer ", 0, 7) || authorization.substring(7).isBlank()) {
            reply(ex, 401, json(Map.of("message", "the request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) is required")));
            return;
        }
        Map<String, String> q = query(ex);
        String repository = q.get("repository");
        if (repository == null || !repository.contains("/")) {
            reply(ex, 400, json(Map.of("message", "repository=OWNER/NAME is required")));
            return;
        }
        String audience = q.getOrDefault("audience", "https://github.com/" + repository.substring(0, repository.indexOf('/')));
        Map<String, Object> claims = githubClaims(audience, repository, q.getOrDefault("sha", "0".repeat(40)));
        reply(ex, 200, json(Map.of("count", 1, "value", mint(claims))));
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private void reply(HttpExchange ex, int status, String body) throws IOException {
        reply(ex, status, body, "application/json");
    }

    private void reply(HttpExchange ex, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] bytes = n.toByteArray();
        return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Minimal JSON for maps, lists, strings and numbers: all a discovery document, a JWKS and claims need. */
    static String json(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : list) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(json(o));
            }
            return sb.append(']').toString();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : String.valueOf(value).toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * {@code java -cp test-support/target/classes io.imagefarm.testsupport.LocalOidcIssuer URL-FILE [PORT]}:
     * runs until killed, after writing its URL to URL-FILE (the demo's issuer). Keys live as long as the process.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LocalOidcIssuer <url-file> [port]");
            System.exit(2);
        }
        LocalOidcIssuer issuer = start(args.length == 2 ? Integer.parseInt(args[1]) : 0);
        Path file = Path.of(args[0]);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, issuer.issuer() + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("local OIDC issuer at " + issuer.issuer());
        new CountDownLatch(1).await();
    }
}
