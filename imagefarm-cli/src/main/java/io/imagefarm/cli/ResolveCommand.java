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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code imagefarm resolve --server URL --repo-dir DIR --repository OWNER/NAME [--commit SHA] [--wait]
 * [--timeout PT30M]}: what the ensure-builder-image action does, for any CI system. Posts the five
 * files of the checkout to the hasher, optionally waits until every arch is ready, and prints
 * {@code key=value} lines for GITHUB_OUTPUT (or any CI's variables).
 */
final class ResolveCommand {

    static final String USAGE_TEXT = "usage: imagefarm resolve --server URL --repo-dir DIR --repository OWNER/NAME "
            + "[--commit SHA] [--wait] [--timeout PT30M] [--token-file FILE] (or IMAGEFARM_TOKEN in the environment)";

    private static final ObjectMapper JSON = EventCodec.mapper();

    private ResolveCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** @param env where {@code IMAGEFARM_TOKEN} is looked up: a GitHub Actions OIDC token or an API token */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>();
        boolean wait = false;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.equals("--wait")) {
                wait = true;
                continue;
            }
            if (!List.of("--server", "--repo-dir", "--repository", "--commit", "--timeout", "--token-file").contains(flag)) {
                err.println("imagefarm resolve: unknown option '" + flag + "'; " + USAGE_TEXT);
                return ImagefarmCli.USAGE;
            }
            if (i + 1 >= args.size()) {
                err.println("imagefarm resolve: " + flag + " needs a value; " + USAGE_TEXT);
                return ImagefarmCli.USAGE;
            }
            options.put(flag, args.get(++i));
        }
        for (String required : List.of("--server", "--repo-dir", "--repository")) {
            if (!options.containsKey(required)) {
                err.println("imagefarm resolve: missing " + required + "; " + USAGE_TEXT);
                return ImagefarmCli.USAGE;
            }
        }
        try {
            SourceRepository repository = SourceRepository.parse(options.get("--repository"));
            Path repoDir = Path.of(options.get("--repo-dir"));
            String commit = options.containsKey("--commit") ? options.get("--commit") : headCommit(repoDir);
            String server = options.get("--server").replaceAll("/+$", "");
            Duration timeout = Duration.parse(options.getOrDefault("--timeout", "PT30M"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            // The file wins over the env var; the token is only ever sent, never printed.
            String authorization = Secrets.read("--token-file", Optional.ofNullable(env.get("IMAGEFARM_TOKEN")),
                    Optional.ofNullable(options.get("--token-file")).map(Path::of)).map(t -> "Bearer " + t).orElse(null);

            Map<String, Object> body = new LinkedHashMap<>();
            body.put("repository", repository.toString());
            body.put("commit", commit);
            body.put("files", readInputs(repoDir));
            JsonNode resolved = call(http, authorized(HttpRequest.newBuilder(URI.create(server + "/api/v1/resolve")), authorization)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
            String hash = resolved.path("versionHash").asText();
            out.println("version-hash=" + hash);
            out.println("index=" + resolved.path("imageBase").asText());
            for (JsonNode arch : resolved.path("arches")) {
                out.println("image-" + arch.path("arch").asText() + "=" + arch.path("image").asText());
            }
            if (!wait) {
                return ImagefarmCli.OK;
            }
            JsonNode settled = call(http, authorized(HttpRequest.newBuilder(URI.create(server + "/api/v1/images/" + hash + "/wait?repository="
                            + repository + "&timeout=" + timeout)), authorization)
                    .timeout(timeout.plusSeconds(30)).GET().build());
            String outcome = settled.path("outcome").asText();
            out.println("outcome=" + outcome);
            if (outcome.equals("READY")) {
                return ImagefarmCli.OK;
            }
            for (JsonNode arch : settled.path("arches")) {
                if ("FAILED".equals(arch.path("state").asText())) {
                    err.println("imagefarm resolve: " + arch.path("arch").asText() + " build failed ("
                            + arch.path("failure").asText() + "): " + arch.path("reason").asText());
                }
            }
            if (outcome.equals("TIMEOUT")) {
                err.println("imagefarm resolve: builder image " + hash + " not ready within " + timeout);
            }
            return ImagefarmCli.INVALID_INPUT;
        } catch (java.io.UncheckedIOException e) {
            err.println("imagefarm resolve: " + e.getMessage());
            return ImagefarmCli.USAGE;
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            err.println("imagefarm resolve: " + e.getMessage());
            return ImagefarmCli.USAGE;
        } catch (java.net.ConnectException e) {
            err.println("imagefarm resolve: cannot connect to " + options.get("--server"));
            return ImagefarmCli.INVALID_INPUT;
        } catch (IOException | ServerError e) {
            err.println("imagefarm resolve: " + String.valueOf(e.getMessage()).replace('\n', ' '));
            return ImagefarmCli.INVALID_INPUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("imagefarm resolve: interrupted");
            return ImagefarmCli.INVALID_INPUT;
        }
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String authorization) {
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    static final class ServerError extends Exception {
        ServerError(String message) {
            super(message);
        }
    }

    private static JsonNode call(HttpClient http, HttpRequest request) throws IOException, InterruptedException, ServerError {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
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

    private static String headCommit(Path repoDir) throws IOException, InterruptedException {
        String fromCi = System.getenv("GITHUB_SHA");
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
