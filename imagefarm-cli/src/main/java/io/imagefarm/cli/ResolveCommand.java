package io.imagefarm.cli;

import io.imagefarm.core.event.EventCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.core.secret.Secrets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imagefarm resolve}: what the ensure-builder-image action does, for any CI system. Posts the
 * five files of the checkout to the hasher, optionally waits until every arch is ready, and prints
 * {@code key=value} lines for GITHUB_OUTPUT (or any CI's variables).
 */
@Command(name = "resolve",
        mixinStandardHelpOptions = true,
        optionListHeading = "%nOptions:%n",
        versionProvider = VersionProvider.class,
        description = {
            "Asks the imagefarm server for a checkout's builder image; waits for it with --wait.",
            "",
            "What the ensure-builder-image action does, for any CI system: posts the five hash inputs "
                    + "to the hasher and prints key=value lines: version-hash, index, image-ARCH per arch, "
                    + "and with --wait outcome (READY, FAILED or TIMEOUT).",
            "",
            "The credential is IMAGEFARM_TOKEN in the environment (a GitHub Actions OIDC token or an API token), "
                    + "or --token-file; the file wins. It is only ever sent, never printed."},
        sortOptions = false,
        exitCodeListHeading = ImagefarmCli.EXIT_CODES_HEADING,
        exitCodeList = {ImagefarmCli.EXIT_OK,
            "1:a build failed or did not finish within --timeout (one stderr line per failed arch), "
                    + "or the server could not be reached or answered an error",
            "2:usage error, an unreadable --token-file, or no --commit and no git HEAD in --repo-dir"})
final class ResolveCommand implements Callable<Integer> {

    @Option(names = "--server", required = true, paramLabel = "URL",
            description = "The hasher-service's base URL.")
    String server;

    @Option(names = "--repo-dir", required = true, paramLabel = "DIR",
            description = "The checkout holding the hash inputs.")
    Path repoDir;

    @Option(names = "--repository", required = true, paramLabel = "OWNER/NAME",
            converter = Converters.Repository.class,
            description = "The source repository, e.g. $GITHUB_REPOSITORY.")
    SourceRepository repository;

    @Option(names = "--commit", paramLabel = "SHA",
            description = "The commit resolved (default: $GITHUB_SHA, else git rev-parse HEAD in --repo-dir).")
    String commit;

    @Option(names = "--wait",
            description = "Wait until every arch and the index are READY, or one failed, or --timeout passed.")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30M", converter = Converters.IsoDuration.class,
            description = "How long --wait waits, as an ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the token; wins over IMAGEFARM_TOKEN.")
    Path tokenFile;

    /** Built on first use, so {@code hash} and {@code --help} do not pay for Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = EventCodec.mapper();
    }

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    /** @param env where {@code IMAGEFARM_TOKEN} is looked up: a GitHub Actions OIDC token or an API token */
    ResolveCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        try {
            String commitSha = commit != null ? commit : headCommit(env, repoDir);
            String base = server.replaceAll("/+$", "");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            // The file wins over the env var; the token is only ever sent, never printed.
            String authorization = Secrets.read("--token-file", Optional.ofNullable(env.get("IMAGEFARM_TOKEN")),
                    Optional.ofNullable(tokenFile)).map(t -> "Bearer " + t).orElse(null);

            Map<String, Object> body = new LinkedHashMap<>();
            body.put("repository", repository.toString());
            body.put("commit", commitSha);
            body.put("files", readInputs(repoDir));
            JsonNode resolved = send(http, authorized(HttpRequest.newBuilder(URI.create(base + "/api/v1/resolve")), authorization)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body))).build());
            String hash = resolved.path("versionHash").asText();
            out.println("version-hash=" + hash);
            out.println("index=" + resolved.path("imageBase").asText());
            for (JsonNode arch : resolved.path("arches")) {
                out.println("image-" + arch.path("arch").asText() + "=" + arch.path("image").asText());
            }
            if (!wait) {
                return ImagefarmCli.OK;
            }
            JsonNode settled = send(http, authorized(HttpRequest.newBuilder(URI.create(base + "/api/v1/images/" + hash + "/wait?repository="
                            + repository + "&timeout=" + timeout)), authorization)
                    .timeout(timeout.plusSeconds(30)).GET().build());
            String outcome = settled.path("outcome").asText();
            out.println("outcome=" + outcome);
            if (outcome.equals("READY")) {
                return pinned(resolved.path("imageBase").asText(), settled);
            }
            for (JsonNode arch : settled.path("arches")) {
                if ("FAILED".equals(arch.path("state").asText())) {
                    err.println("imagefarm resolve: " + arch.path("arch").asText() + " build failed ("
                            + arch.path("failure").asText() + "): " + arch.path("reason").asText());
                }
            }
            JsonNode index = settled.path("index");
            if ("FAILED".equals(index.path("state").asText())) {
                err.println("imagefarm resolve: the index " + index.path("image").asText() + " failed ("
                        + index.path("failure").asText() + "): " + index.path("reason").asText());
            }
            if (outcome.equals("TIMEOUT")) {
                err.println("imagefarm resolve: builder image " + hash + " not ready within " + timeout);
            }
            return ImagefarmCli.FAILED;
        } catch (java.io.UncheckedIOException | IllegalArgumentException e) {
            err.println("imagefarm resolve: " + UsageErrors.oneLine(String.valueOf(e.getMessage())));
            return ImagefarmCli.USAGE;
        } catch (java.net.ConnectException e) {
            err.println("imagefarm resolve: cannot connect to " + server);
            return ImagefarmCli.FAILED;
        } catch (IOException | ServerError e) {
            err.println("imagefarm resolve: " + UsageErrors.oneLine(String.valueOf(e.getMessage())));
            return ImagefarmCli.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("imagefarm resolve: interrupted");
            return ImagefarmCli.FAILED;
        }
    }

    private static final java.util.regex.Pattern DIGEST = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

    /**
     * READY's pinned reference: CI runs in {@code index@digest}, which nobody can move behind its back as
     * they can move a tag. The digests are the server's answer, so they are checked for shape first.
     */
    private int pinned(String index, JsonNode settled) {
        String digest = settled.path("index").path("digest").asText("");
        if (!DIGEST.matcher(digest).matches()) {
            err.println("imagefarm resolve: the hasher answered READY without a valid index digest ('"
                    + UsageErrors.oneLine(digest) + "'); the image cannot be pinned");
            return ImagefarmCli.FAILED;
        }
        for (JsonNode arch : settled.path("arches")) {
            String archDigest = arch.path("digest").asText("");
            if (DIGEST.matcher(archDigest).matches()) {
                out.println("digest-" + arch.path("arch").asText() + "=" + archDigest);
            }
        }
        out.println("index-digest=" + digest);
        out.println("image=" + index + "@" + digest);
        return ImagefarmCli.OK;
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String authorization) {
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    static final class ServerError extends Exception {
        ServerError(String message) {
            super(message);
        }
    }

    private static JsonNode send(HttpClient http, HttpRequest request) throws IOException, InterruptedException, ServerError {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new ServerError(request.uri() + " answered " + response.statusCode() + " without JSON");
        }
        if (response.statusCode() / 100 != 2) {
            throw new ServerError(request.uri().getPath() + " answered " + response.statusCode() + " "
                    + body.path("error").asText("") + ": " + body.path("message").asText(""));
        }
        return body;
    }

    /** The five hash inputs as text; absent ones are left out and the server names them. */
    static Map<String, String> readInputs(Path repoDir) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (String path : HashInputs.ALL) {
            try {
                files.put(path, Files.readString(repoDir.resolve(path), StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                // reported by the server as a 422 naming the file
            }
        }
        return files;
    }

    private static String headCommit(Map<String, String> env, Path repoDir) throws IOException, InterruptedException {
        String fromCi = env.get("GITHUB_SHA");
        if (fromCi != null && !fromCi.isBlank()) {
            return fromCi;
        }
        Process git = new ProcessBuilder("git", "-C", repoDir.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
        String sha = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
            throw new IllegalArgumentException("no --commit given and 'git rev-parse HEAD' failed in " + repoDir + ": " + sha);
        }
        return sha;
    }
}
