package io.imagefarm.testsupport;

import io.imagefarm.core.io.FileTrees;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real CNCF distribution registry (Debian's {@code docker-registry}) on 127.0.0.1 with a fresh
 * storage directory. Loopback registries are insecure-allowed by Docker, so buildx pushes to it
 * over plain HTTP.
 */
public final class LocalRegistry implements AutoCloseable {

    private final Path storage;
    private final int port;
    private final Process process;
    private final boolean deleteEnabled;

    private LocalRegistry(Path storage, int port, Process process, boolean deleteEnabled) {
        this.storage = storage;
        this.port = port;
        this.process = process;
        this.deleteEnabled = deleteEnabled;
    }

    public static LocalRegistry start() {
        return builder().start();
    }

    /** @param deleteEnabled false gives a registry that answers 405 UNSUPPORTED to deletes, as many do */
    public static LocalRegistry start(boolean deleteEnabled) {
        return builder().deleteEnabled(deleteEnabled).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for registries that behave like the ones in the field: no deletes, basic auth, token auth. */
    public static final class Builder {
        private boolean deleteEnabled = true;
        private int port;
        private String authYaml = "";
        private Path htpasswd;

        public Builder deleteEnabled(boolean enabled) {
            this.deleteEnabled = enabled;
            return this;
        }

        /** A fixed port, e.g. to bring a registry up where a client is already retrying. */
        public Builder port(int fixedPort) {
            this.port = fixedPort;
            return this;
        }

        /** Basic auth with one user (bcrypt htpasswd made by Apache's htpasswd tool). */
        public Builder basicAuth(String user, String password) {
            this.htpasswd = BuildHost.htpasswd(user, password);
            this.authYaml = """
                    auth:
                      htpasswd:
                        realm: imagefarm-test
                        path: %s
                    """.formatted(htpasswd);
            return this;
        }

        /** Bearer-token auth as ghcr.io and Docker Hub run it, with {@code tokens} as the token server. */
        public Builder tokenAuth(TokenServer tokens) {
            this.authYaml = """
                    auth:
                      token:
                        realm: %s
                        service: %s
                        issuer: %s
                        rootcertbundle: %s
                    """.formatted(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, tokens.certificatePem());
            return this;
        }

        public LocalRegistry start() {
            Path binary = BuildHost.requireRegistryBinary();
            try {
                Path dir = Files.createTempDirectory("imagefarm-registry-");
                int p = port != 0 ? port : freePort();
                Path config = dir.resolve("config.yml");
                Files.writeString(config, """
                        version: 0.1
                        log:
                          level: warn
                          accesslog:
                            disabled: true
                        storage:
                          filesystem:
                            rootdirectory: %s
                          delete:
                            enabled: %s
                          maintenance:
                            uploadpurging:
                              enabled: false
                        http:
                          addr: 127.0.0.1:%d
                        """.formatted(dir.resolve("data"), deleteEnabled, p) + authYaml);
                Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("registry.log").toFile())
                        .start();
                LocalRegistry registry = new LocalRegistry(dir, p, process, deleteEnabled);
                registry.awaitReady();
                return registry;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the local registry", e);
            }
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        try {
            await("registry on " + host() + " answering /v2/")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .failFast("registry process exited; log: " + storage.resolve("registry.log"), () -> !process.isAlive())
                    .until(() -> {
                        int status = http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                        return status == 200 || status == 401;
                    });
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}, the registry part of image references. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public String url() {
        return "http://" + host();
    }

    public int port() {
        return port;
    }

    public boolean deleteEnabled() {
        return deleteEnabled;
    }

    public Path log() {
        return storage.resolve("registry.log");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        FileTrees.delete(storage); // best effort: a leftover temp dir is not worth failing a test over
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
