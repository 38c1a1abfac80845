package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.RegistryException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code verify}'s registry reads against a stand-in registry on loopback: digests checked, Basic auth on challenge. */
class RegistryReaderTest {

    static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}"
            .getBytes(StandardCharsets.UTF_8);

    HttpServer server;
    Repository repository;
    volatile byte[] served = MANIFEST;
    volatile boolean requireBasic;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", this::answer);
        server.start();
        repository = Repository.of("127.0.0.1:" + server.getAddress().getPort(), "acme/widget");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(authorization));
            if (requireBasic && authorization == null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
            exchange.sendResponseHeaders(200, served.length);
            exchange.getResponseBody().write(served);
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aManifestOrBlobWhoseBytesDoNotMatchTheDigestIsRefused() throws Exception {
        String digest = sha256(MANIFEST);
        RegistryReader reader = new RegistryReader(Optional.empty(), false);
        assertThat(reader.manifest(repository.digest(digest))).hasValueSatisfying(m -> assertThat(m.digest()).isEqualTo(digest));

        served = "{\"schemaVersion\":2,\"layers\":[{}]}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> reader.manifest(repository.digest(digest)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo("DIGEST_INVALID"));
        assertThatThrownBy(() -> reader.blob(repository, digest))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo("DIGEST_INVALID"));
    }

    @Test
    void basicCredentialsAreSentOnlyWhenTheRegistryAsksAndThenKept() throws Exception {
        requireBasic = true;
        RegistryReader reader = new RegistryReader(Optional.of(new RegistryReader.Credentials("ci", "s3cret")), false);

        reader.manifest(repository.tag("builder-1"));
        reader.manifest(repository.tag("builder-2"));

        assertThat(authorizations).containsExactly("null", "Basic Y2k6czNjcmV0", "Basic Y2k6czNjcmV0");
        assertThat(new RegistryReader.Credentials("ci", "s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void aBlobRedirectedToAnotherHostIsFetchedWithoutTheRegistryCredentials() throws Exception {
        HttpServer storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> storageAuthorizations = new CopyOnWriteArrayList<>();
        storage.createContext("/", exchange -> {
            try (exchange) {
                storageAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                exchange.sendResponseHeaders(200, MANIFEST.length);
                exchange.getResponseBody().write(MANIFEST);
            }
        });
        storage.start();
        server.removeContext("/v2/");
        server.createContext("/v2/", exchange -> {
            try (exchange) {
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                // "localhost", not 127.0.0.1: another origin, as a registry's blob storage is
                exchange.getResponseHeaders().add("Location", "http://localhost:" + storage.getAddress().getPort() + "/blob");
                exchange.sendResponseHeaders(307, -1);
            }
        });
        try {
            byte[] blob = new RegistryReader(Optional.of(new RegistryReader.Credentials("ci", "s3cret")), false)
                    .blob(repository, sha256(MANIFEST));

            assertThat(blob).isEqualTo(MANIFEST);
            assertThat(authorizations).containsExactly("null", "Basic Y2k6czNjcmV0");
            assertThat(storageAuthorizations).containsExactly("null");
        } finally {
            storage.stop(0);
        }
    }

    @Test
    void withoutCredentialsAChallengeIsAnAuthFailure() {
        requireBasic = true;

        assertThatThrownBy(() -> new RegistryReader(Optional.empty(), false).manifest(repository.tag("builder-1")))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isAuthFailure()).isTrue());
    }
}
