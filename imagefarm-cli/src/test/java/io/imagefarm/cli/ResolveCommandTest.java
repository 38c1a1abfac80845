package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imagefarm resolve} against a stand-in hasher on loopback: the lines CI reads, and the exit codes. */
class ResolveCommandTest {

    static final String RESOLVED = """
            {"versionHash":"5ea78654994769b1","imageBase":"registry.test/acme/widget:builder-5ea78654994769b1",
             "arches":[{"arch":"amd64","image":"registry.test/acme/widget:builder-5ea78654994769b1-amd64"},
                       {"arch":"arm64","image":"registry.test/acme/widget:builder-5ea78654994769b1-arm64"}]}
            """;

    @TempDir
    Path repo;

    HttpServer server;
    String url;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    static final String INDEX_DIGEST = "sha256:" + "1".repeat(64);
    static final String AMD64_DIGEST = "sha256:" + "2".repeat(64);
    volatile String waitAnswer = "{\"outcome\":\"READY\",\"index\":{\"digest\":\"" + INDEX_DIGEST + "\"},"
            + "\"arches\":[{\"arch\":\"amd64\",\"digest\":\"" + AMD64_DIGEST + "\"},{\"arch\":\"arm64\",\"digest\":\"sha256:" + "3".repeat(64) + "\"}]}";
    volatile int resolveStatus = 200;
    volatile String resolveAnswer = RESOLVED;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void startStandInHasher() throws IOException {
        Files.writeString(repo.resolve("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.83.0\"\n");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/resolve", exchange -> answer(exchange, resolveStatus, resolveAnswer));
        server.createContext("/api/v1/images/", exchange -> answer(exchange, 200, waitAnswer));
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopStandInHasher() {
        server.stop(0);
    }

    void answer(HttpExchange exchange, int status, String body) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    int run(Map<String, String> env, String... args) {
        return ImagefarmCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheHashTheIndexAndOneImagePerArch() {
        int code = run(Map.of("IMAGEFARM_TOKEN", "from-env"), "resolve", "--server", url + "/", "--repo-dir", repo.toString(),
                "--repository", "acme/widget", "--commit", "0123abc");

        assertThat(code).as(stderr()).isZero();
        assertThat(stdout()).isEqualTo("""
                version-hash=5ea78654994769b1
                index=registry.test/acme/widget:builder-5ea78654994769b1
                image-amd64=registry.test/acme/widget:builder-5ea78654994769b1-amd64
                image-arm64=registry.test/acme/widget:builder-5ea78654994769b1-arm64
                """);
        assertThat(requests).singleElement().asString()
                .startsWith("POST /api/v1/resolve {\"repository\":\"acme/widget\",\"commit\":\"0123abc\",\"files\":{")
                .contains("rust-toolchain.toml");
        assertThat(authorizations).containsExactly("Bearer from-env");
    }

    @Test
    void waitAddsTheOutcomeLineAndPassesTheTimeout() {
        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--commit", "0123abc", "--wait", "--timeout", "PT60S");

        assertThat(code).as(stderr()).isZero();
        assertThat(stdout()).endsWith("image-arm64=registry.test/acme/widget:builder-5ea78654994769b1-arm64\noutcome=READY\n"
                + "digest-amd64=" + AMD64_DIGEST + "\ndigest-arm64=sha256:" + "3".repeat(64) + "\n"
                + "index-digest=" + INDEX_DIGEST + "\n"
                + "image=registry.test/acme/widget:builder-5ea78654994769b1@" + INDEX_DIGEST + "\n");
        assertThat(requests.get(1)).startsWith("GET /api/v1/images/5ea78654994769b1/wait?repository=acme/widget&timeout=PT1M ");
        assertThat(authorizations).containsOnly("null");
    }

    @Test
    void tokenFileWinsOverTheEnvironment() throws IOException {
        Path tokenFile = Files.writeString(repo.resolve("token"), "from-file\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));

        assertThat(run(Map.of("IMAGEFARM_TOKEN", "from-env"), "resolve", "--server", url, "--repo-dir", repo.toString(),
                "--repository", "acme/widget", "--commit", "0123abc", "--token-file", tokenFile.toString())).isZero();
        assertThat(authorizations).containsExactly("Bearer from-file");
    }

    @Test
    void readyWithoutAValidIndexDigestExitsOneForNothingUnpinnedIsHandedToCi() {
        waitAnswer = "{\"outcome\":\"READY\",\"index\":{\"digest\":\"sha256:abc\\nimage=evil\"}}";

        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--commit", "0123abc", "--wait");

        assertThat(code).isEqualTo(1);
        assertThat(stdout()).endsWith("outcome=READY\n").doesNotContain("image=");
        assertThat(stderr()).contains("without a valid index digest").doesNotContain("\nimage=evil");
    }

    @Test
    void failedBuildExitsOneWithTheReasonPerFailedArch() {
        waitAnswer = """
                {"outcome":"FAILED","arches":[{"arch":"amd64","state":"READY"},
                 {"arch":"arm64","state":"FAILED","failure":"BUILD","reason":"step 3 exited 1"}]}
                """;

        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--commit", "0123abc", "--wait");

        assertThat(code).isEqualTo(1);
        assertThat(stdout()).endsWith("outcome=FAILED\n");
        assertThat(stderr()).isEqualTo("imagefarm resolve: arm64 build failed (BUILD): step 3 exited 1\n");
    }

    @Test
    void serverErrorExitsOneWithItsCodeAndMessage() {
        resolveStatus = 422;
        resolveAnswer = "{\"error\":\"invalid-repository-files\",\"message\":\"package.json: file is missing\"}";

        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--commit", "0123abc");

        assertThat(code).isEqualTo(1);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).isEqualTo("imagefarm resolve: /api/v1/resolve answered 422 invalid-repository-files: "
                + "package.json: file is missing\n");
    }

    @Test
    void unreachableServerExitsOne() {
        server.stop(0);

        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--commit", "0123abc");

        assertThat(code).isEqualTo(1);
        assertThat(stderr()).isEqualTo("imagefarm resolve: cannot connect to " + url + "\n");
    }

    @Test
    void commitDefaultsToGithubSha() {
        assertThat(run(Map.of("GITHUB_SHA", "feedbeef"), "resolve", "--server", url, "--repo-dir", repo.toString(),
                "--repository", "acme/widget")).as(stderr()).isZero();

        assertThat(requests).singleElement().asString().contains("\"commit\":\"feedbeef\"");
    }

    @Test
    void noCommitAndNoGitHeadIsAUsageErrorOnOneLine() {
        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget");

        assertThat(code).isEqualTo(2);
        assertThat(stderr()).startsWith("imagefarm resolve: no --commit given and 'git rev-parse HEAD' failed in " + repo)
                .hasLineCount(1);
        assertThat(requests).isEmpty();
    }

    @Test
    void unreadableTokenFileIsAUsageError() {
        int code = run(Map.of(), "resolve", "--server", url, "--repo-dir", repo.toString(), "--repository", "acme/widget",
                "--commit", "0123abc", "--token-file", repo.resolve("absent").toString());

        assertThat(code).isEqualTo(2);
        assertThat(stderr()).startsWith("imagefarm resolve: cannot read the secret file of --token-file").hasLineCount(1);
        assertThat(requests).isEmpty();
    }
}
