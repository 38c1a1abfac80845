package io.imagefarm.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imagefarm.core.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token half of the Docker registry token auth spec, for a real distribution registry configured
 * with {@code auth.token}: it issues RS256 JWTs with an {@code x5c} header that the registry checks
 * against {@link #certificatePem()}. Requires the configured basic credentials, like ghcr.io's
 * token endpoint with a PAT.
 */
public final class TokenServer implements AutoCloseable {

    public static final String SERVICE = "imagefarm-test-registry";
    public static final String ISSUER = "imagefarm-test-issuer";

    private final HttpServer server;
    private final Path dir;
    private final PrivateKey key;
    private final String certificateDer;
    private final String expectedBasic;
    private final long expiresInSeconds;
    private final Map<String, AtomicInteger> requestsByScope = new ConcurrentHashMap<>();

    private TokenServer(HttpServer server, Path dir, PrivateKey key, String certificateDer, String expectedBasic, long expiresIn) {
        this.server = server;
        this.dir = dir;
        this.key = key;
        this.certificateDer = certificateDer;
        this.expectedBasic = expectedBasic;
        this.expiresInSeconds = expiresIn;
    }

    public static TokenServer start(String user, String password, Duration tokenLifetime) {
        try {
            Path dir = Files.createTempDirectory("imagefarm-tokens-");
            Path keystore = dir.resolve("issuer.p12");
            String pass = UUID.randomUUID().toString();
            Processes.run(Duration.ofSeconds(60), List.of("keytool", "-genkeypair", "-alias", "issuer", "-keyalg", "RSA",
                    "-keysize", "2048", "-dname", "CN=" + ISSUER, "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", pass, "-keypass", pass)).orThrow();
            Processes.Result pem = Processes.run(Duration.ofSeconds(60), List.of("keytool", "-exportcert", "-rfc",
                    "-alias", "issuer", "-keystore", keystore.toString(), "-storepass", pass)).orThrow();
            Files.writeString(dir.resolve("issuer.pem"), pem.output().substring(pem.output().indexOf("-----BEGIN")));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, pass.toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("issuer", pass.toCharArray());
            Certificate cert = ks.getCertificate("issuer");
            String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            TokenServer tokens = new TokenServer(server, dir, key, Base64.getEncoder().encodeToString(cert.getEncoded()),
                    basic, tokenLifetime.toSeconds());
            server.createContext("/token", tokens::handle);
            server.start();
            return tokens;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the token server", e);
        }
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificatePem() {
        return dir.resolve("issuer.pem");
    }

    /** How many tokens were issued for a scope: proves the client caches them. */
    public int tokensIssued(String scope) {
        AtomicInteger n = requestsByScope.get(scope);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!expectedBasic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            String scope = null;
            for (String pair : query == null ? new String[0] : query.split("&")) {
                if (pair.startsWith("scope=")) {
                    scope = URLDecoder.decode(pair.substring("scope=".length()), StandardCharsets.UTF_8);
                }
            }
            String access = "[]";
            if (scope != null) {
                requestsByScope.computeIfAbsent(scope, s -> new AtomicInteger()).incrementAndGet();
                String[] parts = scope.split(":");
                StringBuilder actions = new StringBuilder();
                for (String a : parts[2].split(",")) {
                    actions.append(actions.length() > 0 ? "," : "").append('"').append(a).append('"');
                }
                access = "[{\"type\":\"" + parts[0] + "\",\"name\":\"" + parts[1] + "\",\"actions\":[" + actions + "]}]";
            }
            long now = Instant.now().getEpochSecond();
            String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + certificateDer + "\"]}";
            String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"ci\",\"aud\":\"" + SERVICE + "\",\"exp\":" + (now + expiresInSeconds)
                    + ",\"nbf\":" + (now - 30) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID() + "\",\"access\":" + access + "}";
            String signingInput = b64(header) + "." + b64(claims);
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String jwt = signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
            byte[] body = ("{\"token\":\"" + jwt + "\",\"expires_in\":" + expiresInSeconds + ",\"issued_at\":\"" + Instant.now() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
        FileTrees.delete(dir);
    }
}
