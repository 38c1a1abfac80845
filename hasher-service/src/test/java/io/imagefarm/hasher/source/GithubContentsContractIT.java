package io.imagefarm.hasher.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.SampleRepository;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CONTRACT TEST. api.github.com cannot be reached from here, so {@link GithubContentsSource} runs
 * against a local stub that answers in the shapes GitHub documents for "Get a repository", "Get a
 * commit" and "Get repository content" with the raw media type: 200s, 404 Not Found, 422 for an
 * unknown SHA, and 403 with x-ratelimit headers. It proves our side of the contract, not GitHub's.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(RegistryResource.class)
class GithubContentsContractIT {

    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final Map<String, String> FILES = SampleRepository.seedFiles("FROM scratch\n");

    HttpServer stub;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> accepts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startStub() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", this::handle);
        stub.start();
    }

    @AfterEach
    void stopStub() {
        stub.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            accepts.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept")));
            String path = exchange.getRequestURI().getPath();
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            if (path.startsWith("/repos/limited/")) {
                exchange.getResponseHeaders().add("x-ratelimit-remaining", "0");
                exchange.getResponseHeaders().add("x-ratelimit-reset", "1767225600");
                send(exchange, 403, "{\"message\":\"API rate limit exceeded\",\"documentation_url\":\"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting\"}");
            } else if (!path.startsWith("/repos/acme/widget")) {
                send(exchange, 404, "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest/repos/repos#get-a-repository\"}");
            } else if (path.equals("/repos/acme/widget")) {
                send(exchange, 200, "{\"id\":1,\"full_name\":\"acme/widget\",\"private\":true,\"default_branch\":\"main\"}");
            } else if (path.startsWith("/repos/acme/widget/commits/")) {
                if (path.endsWith(SHA)) {
                    send(exchange, 200, "{\"sha\":\"" + SHA + "\",\"commit\":{\"message\":\"x\"}}");
                } else {
                    send(exchange, 422, "{\"message\":\"No commit found for SHA: " + path.substring(path.lastIndexOf('/') + 1) + "\"}");
                }
            } else if (path.startsWith("/repos/acme/widget/contents/") && query.equals("ref=" + SHA)) {
                String file = path.substring("/repos/acme/widget/contents/".length());
                String content = FILES.get(file);
                if (content == null) {
                    send(exchange, 404, "{\"message\":\"Not Found\"}");
                } else {
                    send(exchange, 200, content);
                }
            } else {
                send(exchange, 404, "{\"message\":\"Not Found\"}");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    GithubContentsSource source() {
        return new GithubContentsSource(URI.create("http://127.0.0.1:" + stub.getAddress().getPort()),
                Optional.of("ghp_test_token"), Duration.ofSeconds(5), 1 << 20);
    }

    @Test
    void readsTheFiveFilesAtTheCommitWithTheRawMediaTypeAndTheToken() {
        RepositoryFiles files = source().fetch(SourceRepository.parse("acme/widget"), null, SHA);

        for (String path : HashInputs.ALL) {
            assertThat(new String(files.require(path), StandardCharsets.UTF_8)).isEqualTo(FILES.get(path));
        }
        assertThat(authorizations).containsOnly("Bearer ghp_test_token");
        assertThat(accepts).contains(GithubContentsApi.RAW);
    }

    @Test
    void unknownRepositoryIsNotFound() {
        assertThatThrownBy(() -> source().fetch(SourceRepository.parse("ghost/widget"), null, SHA))
                .isInstanceOfSatisfying(SourceNotFoundException.class, e -> assertThat(e.what()).isEqualTo(SourceNotFoundException.What.REPOSITORY));
    }

    @Test
    void unknownCommitIsNotFound() {
        assertThatThrownBy(() -> source().fetch(SourceRepository.parse("acme/widget"), null, "f".repeat(40)))
                .isInstanceOfSatisfying(SourceNotFoundException.class, e -> assertThat(e.what()).isEqualTo(SourceNotFoundException.What.COMMIT));
    }

    @Test
    void rateLimitIsTransientAndSaysWhenToRetry() {
        assertThatThrownBy(() -> source().fetch(SourceRepository.parse("limited/widget"), null, SHA))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("403").hasMessageContaining("rate limited").hasMessageContaining("1767225600")
                .hasMessageNotContaining("ghp_test_token");
    }
}
