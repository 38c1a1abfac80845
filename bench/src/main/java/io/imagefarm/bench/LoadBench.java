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
 * clients; then a storm of signed push webhooks for one new commit, with its events counted from the
 * topics. Writes the report (markdown) with the JMH figure merged in, and prints it.
 *
 * <pre>
 * java -cp bench/target/bench.jar io.imagefarm.bench.LoadBench --stack-env DIR/stack.env --repository demo/bench
 *     --repo-dir DIR/sources/bench --known-commit SHA [--jmh target/bench/jmh.json] [--report target/bench/report.md]
 *     [--clients 1,10,100] [--rounds 2] [--warmup 2] [--measure 5] [--storm 100]
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
        Supplier<HttpRequest> resolve = post(hasher + "/api/v1/resolve", ciToken, resolveBody);
        Supplier<HttpRequest> hash = post(hasher + "/api/v1/hash", ciToken, hashBody);
        requireKnown(resolve.get());

        LoadGenerator load = new LoadGenerator(http);
        progress("server warm-up: /hash and resolve, 10 clients, %d s each (discarded)", options.warmup.toSeconds() * 2);
        load.run(10, Duration.ZERO, options.warmup.multipliedBy(2), hash);
        load.run(10, Duration.ZERO, options.warmup.multipliedBy(2), resolve);

        SortedMap<Integer, LoadFigure> resolveFigures = new TreeMap<>();
        SortedMap<Integer, LoadFigure> hashFigures = new TreeMap<>();
        for (int clients : options.clients) {
            LoadGenerator.Accumulator r = new LoadGenerator.Accumulator();
            LoadGenerator.Accumulator h = new LoadGenerator.Accumulator();
            for (int round = 1; round <= options.rounds; round++) {
                // ABBA: neither endpoint always runs first, so a drift of the machine's state hits both alike
                boolean hashFirst = round % 2 == 1;
                for (int i = 0; i < 2; i++) {
                    boolean isHash = hashFirst == (i == 0);
                    LoadGenerator.Run run = load.run(clients, options.warmup, options.measure, isHash ? hash : resolve);
                    (isHash ? h : r).add(run);
                    progress("%-7s %3d clients, round %d/%d: %,8.0f req/s  p50 %s  p99 %s%s", isHash ? "/hash" : "resolve",
                            clients, round, options.rounds, run.requests() / run.seconds(),
                            Report.millis(run.latencies().getValueAtPercentile(50) / 1000.0),
                            Report.millis(run.latencies().getValueAtPercentile(99) / 1000.0),
                            run.errors() == 0 ? "" : "  " + run.errors() + " errors, last: " + run.lastError());
                }
            }
            resolveFigures.put(clients, r.figure());
            hashFigures.put(clients, h.figure());
        }

        StormFigure storm = storm(hasher, cloneUrl);
        String method = String.format(Locale.ROOT, "Embedded stack (`scripts/demo-stack.sh`), load generator on the same machine "
                        + "(`java.net.http`, closed loop at a fixed number of clients, latencies in HdrHistogram). Each load figure "
                        + "merges %d rounds of %d s measured after %d s of warm-up; resolve and `/hash` alternate. The storm follows "
                        + "%d discarded storms, each for a new commit that keeps the known hash (the server fetches it, nothing is built); "
                        + "the last of them is the storm's reference.",
                options.rounds, options.measure.toSeconds(), options.warmup.toSeconds(), STORM_WARMUPS);
        return new Report(machine(), method, resolveFigures, hashFigures, storm, jmh);
    }

    private StormFigure storm(String hasher, String cloneUrl) throws Exception {
        WebhookStorm storms = new WebhookStorm(http, hasher, stack.secretFrom("WEBHOOK_SECRET_FILE"), options.repository, cloneUrl);
        // Warm-up: storms for new commits that change no hash input, so the server fetches each commit
        // (as for any new commit) but the hash stays the known one and nothing is built meanwhile.
        progress("webhook storm warm-up: %d storms of %d pushes, each for a new commit of the known hash (discarded)",
                STORM_WARMUPS, options.storm);
        List<WebhookStorm.Answer> reference = List.of();
        for (int i = 1; i <= STORM_WARMUPS; i++) {
            String commit = commit(WARMUP_FILE, "warm-up " + i + " at " + Instant.now() + "\n", "bench: warm-up commit " + i);
            reference = storms.storm(options.storm, commit);
            for (WebhookStorm.Answer a : reference) {
                if (a.status() != 200) {
                    throw new IllegalStateException("a warm-up webhook was answered " + a.status() + ": " + LoadGenerator.abbreviate(a.body()));
                }
            }
            StormFigure.Latency l = WebhookStorm.latency(reference);
            progress("warm-up storm %d: p50 %s, p99 %s", i, Report.millis(l.p50Millis()), Report.millis(l.p99Millis()));
        }
        String from = filesAt(options.knownCommit).get(HashInputs.DOCKERFILE).lines().findFirst()
                .orElseThrow(() -> new IllegalStateException("the known commit's Dockerfile is empty"));
        String commit = commit(HashInputs.DOCKERFILE, from + "\nRUN echo \"bench storm " + Instant.now() + "\" > /b\n",
                "bench: a new toolchain for the webhook storm");
        progress("webhook storm: %d pushes of new commit %s (a new version hash)", options.storm, commit);
        List<WebhookStorm.Answer> answers = storms.storm(options.storm, commit);
        StormFigure figure = WebhookStorm.figure(answers, reference, stack.get("KAFKA_BOOTSTRAP"));
        progress("storm: %d/%d answered 200, p50 %s, p99 %s; events on the topics: %s", figure.answered(), figure.webhooks(),
                Report.millis(figure.latency().p50Millis()), Report.millis(figure.latency().p99Millis()),
                figure.arches().stream().map(a -> a.arch() + "=" + a.eventsOnTopic()).toList());
        return figure;
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
                   List<Integer> clients, int rounds, Duration warmup, Duration measure, int storm) {

        static final String USAGE = "usage: LoadBench --stack-env FILE --repository OWNER/NAME --repo-dir DIR --known-commit SHA"
                + " [--jmh JMH.json] [--report FILE] [--clients 1,10,100] [--rounds 2] [--warmup SECONDS] [--measure SECONDS] [--storm 100]";

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
                    positive("rounds", given.getOrDefault("rounds", "2")),
                    Duration.ofSeconds(positive("warmup", given.getOrDefault("warmup", "2"))),
                    Duration.ofSeconds(positive("measure", given.getOrDefault("measure", "5"))),
                    positive("storm", given.getOrDefault("storm", "100")));
            for (String known : List.of("stack-env", "repository", "repo-dir", "known-commit", "jmh", "report", "clients", "rounds",
                    "warmup", "measure", "storm")) {
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
