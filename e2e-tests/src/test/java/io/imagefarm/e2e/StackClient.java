package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A running stack as GitHub and CI see it, from the {@code stack.env} that both
 * {@code scripts/demo-stack.sh} (processes) and {@code scripts/compose-stack.sh} (containers) write
 * ({@code KEY=value} lines; a list value is space-separated in double quotes, see {@link #list}).
 */
final class StackClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> env;

    private StackClient(Map<String, String> env) {
        this.env = env;
    }

    static StackClient load(Path stackEnv) {
        Map<String, String> env = new HashMap<>();
        try {
            for (String line : Files.readAllLines(stackEnv)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), unquote(line.substring(eq + 1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StackClient(env);
    }

    /** A list value ({@code "a b c"}, as the shell reads it: lists are space-separated in double quotes). */
    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** A space-separated value as a list, e.g. {@code HASHER_URLS} (one URL per hasher replica). */
    List<String> list(String key) {
        String value = get(key).strip();
        return value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
    }

    String get(String key) {
        String value = env.get(key);
        if (value == null) {
            throw new IllegalStateException("stack.env has no " + key + ": " + env.keySet());
        }
        return value;
    }

    /** A signed GitHub push webhook for {@code commit}; asserts 200 and returns the hasher's answer. */
    JsonNode pushWebhook(String repository, String commit, String cloneUrl) throws Exception {
        HttpResponse<String> r = webhookAt(get("HASHER_URL"), repository, commit, cloneUrl);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /**
     * A signed GitHub push webhook for {@code commit} to one hasher replica ({@code hasherUrl}, e.g. one of
     * {@code HASHER_URLS}); returns the answer as it is.
     */
    HttpResponse<String> webhookAt(String hasherUrl, String repository, String commit, String cloneUrl) throws Exception {
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit + "\",\"deleted\":false,"
                + "\"repository\":{\"full_name\":\"" + repository + "\",\"clone_url\":\"" + cloneUrl + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(Path.of(get("WEBHOOK_SECRET_FILE"))), "HmacSHA256"));
        return HTTP.send(HttpRequest.newBuilder(URI.create(hasherUrl + "/webhooks/github"))
                .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /**
     * {@code POST /api/v1/resolve} as CI (the stack's static ci token, demo/*): the caller sends the
     * hashed files, the workers fetch {@code sourceUrl} at {@code commit}. Returns the status and body.
     */
    HttpResponse<String> resolve(String repository, String commit, String sourceUrl, Map<String, String> files) throws Exception {
        return resolveAt(get("HASHER_URL"), repository, commit, sourceUrl, files);
    }

    /** {@link #resolve} at one hasher replica ({@code hasherUrl}, e.g. one of {@code HASHER_URLS}). */
    HttpResponse<String> resolveAt(String hasherUrl, String repository, String commit, String sourceUrl,
            Map<String, String> files) throws Exception {
        String body = JSON.writeValueAsString(Map.of("repository", repository, "commit", commit, "sourceUrl", sourceUrl,
                "files", files));
        return HTTP.send(HttpRequest.newBuilder(URI.create(hasherUrl + "/api/v1/resolve"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + Files.readString(Path.of(get("CI_TOKEN_FILE"))).strip())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET that answers the status code only (no assertion): for health probes. */
    int statusOf(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The hasher's view of a hash. */
    JsonNode images(String hash, String repository) throws Exception {
        return getJson(get("HASHER_URL") + "/api/v1/images/" + hash + "?repository=" + repository);
    }

    /** The stack's admin API token (made by the stack script; services know only its digest). */
    String adminToken() throws IOException {
        return Files.readString(Path.of(get("ADMIN_TOKEN_FILE"))).strip();
    }

    /** POSTs as the admin (janitor runs need the role); asserts 200. */
    JsonNode postJsonAsAdmin(String url, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + adminToken())
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Polls the hasher until every arch and the multi-arch index are built; fails at once on FAILED. */
    JsonNode awaitReadyWithIndex(String hash, String repository) {
        return await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).until(
                () -> getJson(get("HASHER_URL") + "/api/v1/images/" + hash + "?repository=" + repository),
                s -> {
                    assertThat(s.path("outcome").asText()).as(s.toString()).isNotEqualTo("FAILED");
                    return s.path("outcome").asText().equals("READY") && s.path("index").path("state").asText().equals("BUILT");
                });
    }

    static JsonNode arch(JsonNode status, String arch) {
        for (JsonNode a : status.path("arches")) {
            if (a.path("arch").asText().equals(arch)) {
                return a;
            }
        }
        throw new AssertionError("no " + arch + " in " + status);
    }
}
