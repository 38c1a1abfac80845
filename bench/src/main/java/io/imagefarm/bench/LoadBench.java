package io.imagefarm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.hash.HashInputs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The hot path's load benchmark against a running embedded stack ({@code scripts/bench.sh} starts it
 * and makes the known image first). In one run, so each figure and its reference see the same machine:
 * resolve of a known image and {@code /api/v1/hash} with the same files, alternating, at each number of
 * clients, with keep-alive clients and with a new connection per request (as each CI job makes its one
 * resolve); then, once the webhook path is warm, a storm of signed push webhooks for one new commit
 * against the same storm on {@code /hash}, with its events counted from the topics. Writes the report
 * (markdown) with the JMH figure merged in, and prints it.
 *
 * <pre>
 * java -cp bench/target/bench.jar io.imagefarm.bench.LoadBench --stack-env DIR/stack.env --repository demo/bench
 *     --repo-dir DIR/sources/bench --known-commit SHA [--jmh target/bench/jmh.json] [--report target/bench/report.md]
 *     [--clients 1,10,100] [--new-connection-clients 100] [--rounds 2] [--warmup 2] [--measure 5] [--storm 100] [--storm-rounds 3]
 * </pre>
 * Exits 0 when every goal holds, 3 when the report shows one that does not, 1 when it could not measure.
 */
public final class LoadBench {

    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int STORM_WARMUPS = 3;
    /** Not a hash input: a commit changing only this keeps the known version hash. */
    private static final String WARMUP_FILE = "bench-warmup.txt";

    private final Options options;
    private final StackEnv stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private LoadBench(Options options) {
        this.options = options;
        this.stack = StackEnv.load(options.stackEnv);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        Report report;
        try {
            report = new LoadBench(options).measure();
        } catch (IllegalStateException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
            return;
        }
        String markdown = report.markdown();
        Files.createDirectories(options.report.toAbsolutePath().getParent());
        Files.writeString(options.report, markdown);
        System.out.println();
        System.out.print(markdown);
        System.out.println();
        System.out.println("report: " + options.report);
        System.exit(report.allGoalsPass() ? 0 : 3);
    }

    private Report measure() throws Exception {
        JmhFigure jmh = options.jmh == null ? null
                : JmhFigure.read(options.jmh, "VersionHashBench.hash").orElseThrow(() -> new IllegalStateException(
                        options.jmh + " has no VersionHashBench.hash result"));
        String ciToken = stack.secretFrom("CI_TOKEN_FILE");
        String hasher = stack.get("HASHER_URL");
        String cloneUrl = "file://" + options.repoDir.toAbsolutePath().normalize();
        Map<String, String> files = filesAt(options.knownCommit);

        byte[] resolveBody = JSON.writeValueAsBytes(Map.of("repository", options.repository, "commit", options.knownCommit,
                "sourceUrl", cloneUrl, "files", files));
        byte[] hashBody = JSON.writeValueAsBytes(Map.of("repository", options.repository, "commit", options.knownCommit,
                "files", files));
        Supplier<HttpRequest> resolveRequest = post(hasher + "/api/v1/resolve", ciToken, resolveBody);
        requireKnown(resolveRequest.get());
        HttpCall resolve = HttpCall.keepAlive(http, resolveRequest);
        HttpCall hash = HttpCall.keepAlive(http, post(hasher + "/api/v1/hash", ciToken, hashBody));
        // A CI job's one resolve: a new connection per request, as each job of a matrix opens its own.
        NewConnectionHttp fresh = new NewConnectionHttp(URI.create(hasher));
        Map<String, String> apiHeaders = Map.of("Content-Type", "application/json", "Authorization", "Bearer " + ciToken);
        HttpCall resolveFresh = fresh.post("/api/v1/resolve", apiHeaders, resolveBody);
        HttpCall hashFresh = fresh.post("/api/v1/hash", apiHeaders, hashBody);

        progress("server warm-up: /hash and resolve, 10 clients, %d s each (discarded)", options.warmup.toSeconds() * 2);
        LoadGenerator.run(10, Duration.ZERO, options.warmup.multipliedBy(2), hash);
        LoadGenerator.run(10, Duration.ZERO, options.warmup.multipliedBy(2), resolve);
        LoadGenerator.run(10, Duration.ZERO, options.warmup.multipliedBy(2), hashFresh);
        LoadGenerator.run(10, Duration.ZERO, options.warmup.multipliedBy(2), resolveFresh);

        SortedMap<Integer, LoadFigure> resolveFigures = new TreeMap<>();
        SortedMap<Integer, LoadFigure> hashFigures = new TreeMap<>();
        measure("keep-alive", options.clients, resolve, hash, resolveFigures, hashFigures);
        SortedMap<Integer, LoadFigure> resolveFresh100 = new TreeMap<>();
        SortedMap<Integer, LoadFigure> hashFresh100 = new TreeMap<>();
        measure("new conn", options.newConnectionClients, resolveFresh, hashFresh, resolveFresh100, hashFresh100);

        StormFigure storm = storm(hasher, cloneUrl, fresh, apiHeaders, hashBody);
        String method = String.format(Locale.ROOT, "Embedded stack (`scripts/demo-stack.sh`), one hasher replica, load generator on "
                        + "the same machine (closed loop at a fixed number of clients, latencies in HdrHistogram): keep-alive clients "
                        + "(`java.net.http`, connections kept open between requests) and new-connection clients (plain sockets, "
                        + "HTTP/1.1 `Connection: close`: each request opens its own TCP connection, as a CI job's one resolve does). "
                        + "Each load figure merges %d rounds of %d s measured after %d s of warm-up; resolve and `/hash` alternate. "
                        + "Every storm request is on a new connection, as GitHub delivers webhooks, all released at once. After %d "
                        + "discarded storms for new commits that keep the known hash (fetched, nothing built) and one for a new commit "
                        + "of another new hash (the whole path), %d rounds each run the same storm on `/hash`, then a webhook storm "
                        + "for a new commit of a new hash, then wait until its image is built; a last `/hash` storm follows. Every "
                        + "storm starts on the quiet machine; the builds a webhook storm requests start while its last answers go out "
                        + "(the workers share the machine). Storm figures merge their rounds.",
                options.rounds, options.measure.toSeconds(), options.warmup.toSeconds(), STORM_WARMUPS, options.stormRounds);
        return new Report(machine(), method, resolveFigures, hashFigures, resolveFresh100, hashFresh100, storm, jmh);
    }

    /** Resolve against /hash at each number of clients, alternating (ABBA), into the two maps. */
    private void measure(String mode, List<Integer> clientCounts, HttpCall resolve, HttpCall hash,
                         SortedMap<Integer, LoadFigure> resolveFigures, SortedMap<Integer, LoadFigure> hashFigures)
            throws InterruptedException {
        for (int clients : clientCounts) {
            LoadGenerator.Accumulator r = new LoadGenerator.Accumulator();
            LoadGenerator.Accumulator h = new LoadGenerator.Accumulator();
            for (int round = 1; round <= options.rounds; round++) {
                // ABBA: neither endpoint always runs first, so a drift of the machine's state hits both alike
                boolean hashFirst = round % 2 == 1;
                for (int i = 0; i < 2; i++) {
                    boolean isHash = hashFirst == (i == 0);
                    LoadGenerator.Run run = LoadGenerator.run(clients, options.warmup, options.measure, isHash ? hash : resolve);
                    (isHash ? h : r).add(run);
                    progress("%-10s %-7s %3d clients, round %d/%d: %,8.0f req/s  p50 %s  p99 %s%s", mode,
                            isHash ? "/hash" : "resolve", clients, round, options.rounds, run.requests() / run.seconds(),
                            Report.millis(run.latencies().getValueAtPercentile(50) / 1000.0),
                            Report.millis(run.latencies().getValueAtPercentile(99) / 1000.0),
                            run.errors() == 0 ? "" : "  " + run.errors() + " errors, last: " + run.lastError());
                }
            }
            resolveFigures.put(clients, r.figure());
            hashFigures.put(clients, h.figure());
        }
    }

    private StormFigure storm(String hasher, String cloneUrl, NewConnectionHttp fresh, Map<String, String> apiHeaders,
                              byte[] hashBody) throws Exception {
        WebhookStorm storms = new WebhookStorm(fresh, stack.secretFrom("WEBHOOK_SECRET_FILE"), options.repository, cloneUrl);
        // Warm-up: storms for new commits that change no hash input, so the server fetches each commit
        // (as for any new commit) but the hash stays the known one and nothing is built meanwhile.
        progress("webhook storm warm-up: %d storms of %d pushes, each for a new commit of the known hash (discarded)",
                STORM_WARMUPS, options.storm);
        List<WebhookStorm.Answer> fetchOnly = List.of();
        for (int i = 1; i <= STORM_WARMUPS; i++) {
            String commit = commit(WARMUP_FILE, "warm-up " + i + " at " + Instant.now() + "\n", "bench: warm-up commit " + i);
            fetchOnly = requireAnswered("warm-up storm " + i, storms.storm(options.storm, commit));
        }
        // Then the whole path once (fetch, registry, proposal, decision) for another new hash; its builds
        // finish before the measured storm, so the workers are idle again when it comes.
        String warmupCommit = newToolchain("bench: a new toolchain for the warm-up storm");
        List<WebhookStorm.Answer> warmup = requireAnswered("warm-up storm on a new hash", storms.storm(options.storm, warmupCommit));
        awaitReady(hasher, warmup.get(0).json().path("versionHash").asText());

        // Rounds: the same storm on /hash, then the webhook storm for a new commit of a new hash, then its
        // builds are waited for; a last /hash storm after the last builds. Every storm starts on the quiet
        // machine (the builds a webhook storm requests start while its last answers go out: the workers
        // share the machine).
        List<List<WebhookStorm.Answer>> webhookStorms = new ArrayList<>();
        List<List<WebhookStorm.Answer>> hashStorms = new ArrayList<>();
        for (int round = 1; round <= options.stormRounds; round++) {
            hashStorms.add(storms.storm(options.storm, "/api/v1/hash", apiHeaders, hashBody));
            String commit = newToolchain("bench: a new toolchain for webhook storm " + round);
            List<WebhookStorm.Answer> answers = storms.storm(options.storm, commit);
            webhookStorms.add(answers);
            StormFigure.Latency w = WebhookStorm.latency(answers);
            progress("round %d/%d: /hash storm p99 %s; webhook storm for new commit %s: %d/%d answered 200, p50 %s, p99 %s", round,
                    options.stormRounds, Report.millis(WebhookStorm.latency(hashStorms.get(hashStorms.size() - 1)).p99Millis()),
                    commit.substring(0, 12), answers.stream().filter(x -> x.status() == 200).count(), answers.size(),
                    Report.millis(w.p50Millis()), Report.millis(w.p99Millis()));
            answers.stream().filter(x -> x.status() == 200).findFirst()
                    .ifPresent(x -> awaitReadyUnchecked(hasher, x.json().path("versionHash").asText()));
        }
        hashStorms.add(storms.storm(options.storm, "/api/v1/hash", apiHeaders, hashBody));
        StormFigure figure = WebhookStorm.figure(webhookStorms, hashStorms, warmup, fetchOnly, stack.get("KAFKA_BOOTSTRAP"));
        progress("storms: %d/%d answered 200, p50 %s, p99 %s (/hash storms p99 %s); events per storm's image: %s", figure.answered(),
                figure.webhooks(), Report.millis(figure.latency().p50Millis()), Report.millis(figure.latency().p99Millis()),
                Report.millis(figure.hash().latency().p99Millis()),
                figure.arches().stream().map(x -> x.arch() + "=" + x.events()).toList());
        return figure;
    }

    private static List<WebhookStorm.Answer> requireAnswered(String what, List<WebhookStorm.Answer> answers) {
        for (WebhookStorm.Answer a : answers) {
            if (a.status() != 200) {
                throw new IllegalStateException("a webhook of the " + what + " was answered " + a.status() + ": "
                        + LoadGenerator.abbreviate(a.body()));
            }
        }
        StormFigure.Latency l = WebhookStorm.latency(answers);
        progress("%s: p50 %s, p99 %s (discarded)", what, Report.millis(l.p50Millis()), Report.millis(l.p99Millis()));
        return answers;
    }

    /** A commit that changes the Dockerfile: a new version hash, so its image is built. */
    private String newToolchain(String message) throws IOException {
        String from = filesAt(options.knownCommit).get(HashInputs.DOCKERFILE).lines().findFirst()
                .orElseThrow(() -> new IllegalStateException("the known commit's Dockerfile is empty"));
        return commit(HashInputs.DOCKERFILE, from + "\nRUN echo \"" + message + " " + Instant.now() + "\" > /b\n", message);
    }

    private void awaitReadyUnchecked(String hasher, String versionHash) {
        try {
            awaitReady(hasher, versionHash);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("waiting for builder-" + versionHash + " failed: " + e, e);
        }
    }

    /** Waits (the hasher's long poll) until both arches of {@code versionHash} are built. */
    private void awaitReady(String hasher, String versionHash) throws Exception {
        progress("waiting for builder-%s (both arches) to be built", versionHash);
        HttpRequest wait = HttpRequest.newBuilder(URI.create(hasher + "/api/v1/images/" + versionHash + "/wait?timeout=PT10M&repository="
                        + options.repository)).timeout(Duration.ofMinutes(11)).GET().build();
        HttpResponse<String> r = http.send(wait, HttpResponse.BodyHandlers.ofString());
        JsonNode status = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        if (status == null || !status.path("outcome").asText().equals("READY")) {
            throw new IllegalStateException("the warm-up storm's image did not become READY: " + r.statusCode() + " "
                    + LoadGenerator.abbreviate(r.body()));
        }
    }

    /** The known image must be known: every arch BUILT or EXISTS, nothing published by asking. */
    private void requireKnown(HttpRequest resolve) throws Exception {
        HttpResponse<String> r = http.send(resolve, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("resolve of the known commit answered " + r.statusCode() + ": " + LoadGenerator.abbreviate(r.body()));
        }
        JsonNode answer = JSON.readTree(r.body());
        for (JsonNode arch : answer.path("arches")) {
            String state = arch.path("state").asText();
            if (!(state.equals("BUILT") || state.equals("EXISTS")) || arch.path("published").asBoolean()) {
                throw new IllegalStateException("the image of commit " + options.knownCommit + " is not known to the hasher ("
                        + arch.path("arch").asText() + " is " + state + "); build it first: " + LoadGenerator.abbreviate(r.body()));
            }
        }
        progress("known image: %s (%s)", answer.path("imageBase").asText(), answer.path("versionHash").asText());
    }

    private Supplier<HttpRequest> post(String url, String token, byte[] body) {
        URI uri = URI.create(url);
        return () -> HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** The five hash inputs as committed at {@code commit}, as text (what a CI job posts). */
    private Map<String, String> filesAt(String commit) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String path : HashInputs.ALL) {
            files.put(path, git("show", commit + ":" + path));
        }
        return files;
    }

    /** Writes {@code path} (relative to the repository), commits it, and returns the commit. */
    private String commit(String path, String content, String message) throws IOException {
        Path file = options.repoDir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return git("rev-parse", "HEAD").strip();
    }

    private String git(String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", options.repoDir.toString()));
        command.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static Report.Machine machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException e) {
            // not Linux, or /proc not mounted: the report says "unknown CPU"
        }
        return new Report.Machine(ZonedDateTime.now(ZoneOffset.UTC), Runtime.getRuntime().availableProcessors(), cpu,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    private static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "   " + format + "%n", args);
    }

    /** The command line. */
    record Options(Path stackEnv, String repository, Path repoDir, String knownCommit, Path jmh, Path report,
                   List<Integer> clients, List<Integer> newConnectionClients, int rounds, Duration warmup, Duration measure,
                   int storm, int stormRounds) {

        static final String USAGE = "usage: LoadBench --stack-env FILE --repository OWNER/NAME --repo-dir DIR --known-commit SHA"
                + " [--jmh JMH.json] [--report FILE] [--clients 1,10,100] [--new-connection-clients 100] [--rounds 2] [--warmup SECONDS] [--measure SECONDS] [--storm 100] [--storm-rounds 3]";

        static Options parse(String[] args) {
            Map<String, String> given = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
                }
                given.put(args[i].substring(2), args[++i]);
            }
            Options o = new Options(Path.of(required(given, "stack-env")), required(given, "repository"),
                    Path.of(required(given, "repo-dir")), required(given, "known-commit"),
                    given.containsKey("jmh") ? Path.of(given.get("jmh")) : null,
                    Path.of(given.getOrDefault("report", "target/bench/report.md")),
                    Arrays.stream(given.getOrDefault("clients", "1,10,100").split(",")).map(s -> positive("clients", s)).toList(),
                    Arrays.stream(given.getOrDefault("new-connection-clients", "100").split(","))
                            .map(s -> positive("new-connection-clients", s)).toList(),
                    positive("rounds", given.getOrDefault("rounds", "2")),
                    Duration.ofSeconds(positive("warmup", given.getOrDefault("warmup", "2"))),
                    Duration.ofSeconds(positive("measure", given.getOrDefault("measure", "5"))),
                    positive("storm", given.getOrDefault("storm", "100")),
                    positive("storm-rounds", given.getOrDefault("storm-rounds", "3")));
            for (String known : List.of("stack-env", "repository", "repo-dir", "known-commit", "jmh", "report", "clients", "new-connection-clients", "rounds",
                    "warmup", "measure", "storm", "storm-rounds")) {
                given.remove(known);
            }
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s) " + given.keySet());
            }
            return o;
        }

        private static String required(Map<String, String> given, String name) {
            String v = given.get(name);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return v;
        }

        private static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value.strip());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("--" + name + " takes a positive whole number, not '" + value + "'");
        }
    }
}
