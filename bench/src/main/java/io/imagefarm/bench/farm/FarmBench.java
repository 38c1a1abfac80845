package io.imagefarm.bench.farm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The farm benchmark (scripts/farm-bench.sh), on an embedded farm stack: {@code repositories}
 * repositories each push a new commit at once, as signed webhooks spread over every hasher, while CI
 * resolves for the same commits arrive on every hasher too. Then the same twice more: with one amd64
 * worker SIGKILLed midway, and with one broker SIGKILLed midway. Every figure is read back from the
 * topics (read_committed) and the workers' logs; writes {@code OUT/report.md}.
 *
 * <p>Usage: {@code FarmBench STACK_DIR OUT_DIR [repositories] [build-seconds]}. Exit 0 when every goal
 * holds, 3 when one does not.
 */
public final class FarmBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ARCHES = List.of("amd64", "arm64");
    static final String OWNER = "demo";

    private final Path stack;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int repositories;
    private final int buildSeconds;

    FarmBench(Path stack, int repositories, int buildSeconds) throws IOException {
        this.stack = stack;
        this.env = readEnv(stack.resolve("stack.env"));
        this.repositories = repositories;
        this.buildSeconds = buildSeconds;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FarmBench STACK_DIR OUT_DIR [repositories] [build-seconds]");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        FarmBench bench = new FarmBench(Path.of(args[0]), args.length > 2 ? Integer.parseInt(args[2]) : 12,
                args.length > 3 ? Integer.parseInt(args[3]) : 8);
        // Warm-up, not measured: a burst just large enough that every worker builds once. A worker's first
        // build in a fresh JVM (its first registry call, git fetch and status sent) starts ~18 s late here,
        // which would measure the stack's start-up, not how the farm shares a burst.
        int warmUp = Math.max(bench.workers("amd64"), bench.workers("arm64"));
        FarmFigures warm = bench.run("warm-up", -1, warmUp);
        System.out.println("FARM warm-up (not measured): " + warmUp + " repositories; " + FarmReport.line(warm));
        List<FarmFigures> runs = new ArrayList<>();
        for (String scenario : List.of("normal", "worker-kill", "broker-kill")) {
            FarmFigures f = bench.run(scenario, runs.size(), bench.repositories);
            runs.add(f);
            System.out.println(FarmReport.line(f));
        }
        FarmReport report = new FarmReport(runs, bench.repositories, bench.buildSeconds, bench.hashers().size(),
                bench.workers("amd64"), bench.workers("arm64"), bench.brokers().size());
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.md"), report.markdown());
        System.out.println(report.markdown());
        System.exit(report.allGoalsPass() ? 0 : 3);
    }

    List<String> hashers() {
        return List.of(env.get("HASHER_URLS").trim().split("\\s+"));
    }

    List<String> brokers() {
        return List.of(env.get("BROKERS").trim().split("\\s+"));
    }

    int workers(String arch) {
        return env.get("WORKER_" + arch.toUpperCase() + "_URLS").trim().split("\\s+").length;
    }

    FarmFigures run(String scenario, int round, int repositories) throws Exception {
        // New commits, one per repository, each a new image (its own Dockerfile line).
        List<String[]> commits = new ArrayList<>(); // repository, commit, dockerfile, clone url
        for (int r = 0; r < repositories; r++) {
            Path dir = stack.resolve("sources").resolve("farm-bench").resolve("repo-" + r);
            String dockerfile = "FROM " + env.get("BASE_IMAGE") + "\nRUN echo 'round " + round + " repo " + r + " "
                    + UUID.randomUUID() + "' > /marker && sleep " + buildSeconds + "\n";
            String commit = commit(dir, seedFiles(dockerfile));
            commits.add(new String[] {OWNER + "/farm-" + r, commit, dockerfile, dir.toUri().toString()});
        }
        List<String> hashers = hashers();
        ExecutorService callers = Executors.newFixedThreadPool(4 * repositories);
        Instant start = Instant.now();
        List<Future<JsonNode>> answers = new ArrayList<>();
        for (int r = 0; r < repositories; r++) {
            String[] c = commits.get(r);
            String webhookTo = hashers.get(r % hashers.size());
            answers.add(callers.submit(() -> webhook(webhookTo, c[0], c[1], c[3])));
            for (String hasher : hashers) { // CI jobs resolving the same commit, on every replica
                answers.add(callers.submit(() -> resolve(hasher, c[0], c[1], c[3], seedFiles(c[2]))));
            }
        }
        String victim = switch (scenario) {
            case "worker-kill" -> "worker-amd64-" + workers("amd64");
            case "broker-kill" -> brokers().get(brokers().size() - 1);
            default -> null;
        };
        AtomicLong failedReads = new AtomicLong();
        Instant killedAt = null;
        if (victim != null) {
            Thread.sleep(Duration.ofSeconds(buildSeconds).multipliedBy(3).dividedBy(2).toMillis()); // mid-build
            killedAt = Instant.now();
            demoStack("kill", victim);
            System.out.println("FARM " + scenario + ": SIGKILLed " + victim + " at +" + Duration.between(start, killedAt).toMillis() + " ms");
        }
        Map<String, List<String>> images = new TreeMap<>();
        Map<String, String> hashByRepository = collect(answers, images);
        callers.shutdown();
        List<String> notReady = awaitReady(hashByRepository, Duration.ofMinutes(10), failedReads);
        if ("broker-kill".equals(scenario)) {
            demoStack("start", victim); // back for the next runs, with its data
        }
        // What the topics hold.
        List<String> eventKeys = new ArrayList<>();
        for (String arch : ARCHES) {
            readAll("imagefarm.image-required." + arch).forEach(r -> eventKeys.add(r.key()));
        }
        List<FarmFigures.StatusRecord> statuses = new ArrayList<>();
        Instant firstWriteAfterKill = null;
        for (ConsumerRecord<String, String> r : readAll("imagefarm.image-status")) {
            if (r.value() == null) {
                continue;
            }
            Instant at = Instant.ofEpochMilli(r.timestamp());
            statuses.add(new FarmFigures.StatusRecord(r.key(), JSON.readTree(r.value()).path("state").asText(), at));
            if (killedAt != null && at.isAfter(killedAt) && (firstWriteAfterKill == null || at.isBefore(firstWriteAfterKill))) {
                firstWriteAfterKill = at;
            }
        }
        List<String> all = images.values().stream().flatMap(List::stream).toList();
        Map<String, Long> builds = FarmFigures.count(statuses.stream().filter(s -> s.state().equals("BUILT"))
                .map(FarmFigures.StatusRecord::image).toList(), all);
        Map<String, FarmFigures.ArchFigures> perArch = new TreeMap<>();
        for (String arch : ARCHES) {
            perArch.put(arch, FarmFigures.arch(images.getOrDefault(arch, List.of()), statuses, start, workers(arch)));
        }
        FarmFigures f = new FarmFigures(scenario, images, FarmFigures.count(eventKeys, all), builds, perArch,
                share(all), notReady);
        if (killedAt != null) {
            System.out.println("FARM " + scenario + ": reads failed during the run: " + failedReads.get()
                    + "; first status written after the kill: " + (firstWriteAfterKill == null ? "none"
                    : "+" + Duration.between(killedAt, firstWriteAfterKill).toMillis() + " ms"));
        }
        return f;
    }

    /** Builds per worker of this run's images: the workers log "<image>: verified: ..." once per build they run. */
    /**
     * Waits for a burst's resolve and webhook answers: each repository's version hash, in answer order;
     * each answered image ref is added once to {@code images}, per arch.
     */
    static Map<String, String> collect(List<Future<JsonNode>> answers, Map<String, List<String>> images) throws Exception {
        Map<String, String> hashByRepository = new LinkedHashMap<>();
        for (Future<JsonNode> a : answers) {
            JsonNode answer = a.get(3, TimeUnit.MINUTES);
            hashByRepository.put(answer.path("repository").asText(), answer.path("versionHash").asText());
            for (JsonNode arch : answer.path("arches")) {
                List<String> refs = images.computeIfAbsent(arch.path("arch").asText(), k -> new ArrayList<>());
                if (!refs.contains(arch.path("image").asText())) {
                    refs.add(arch.path("image").asText());
                }
            }
        }
        return hashByRepository;
    }

    Map<String, Long> share(List<String> images) throws IOException {
        Map<String, Long> share = new TreeMap<>();
        for (String arch : ARCHES) {
            for (int w = 1; w <= workers(arch); w++) {
                String part = "worker-" + arch + "-" + w;
                Path log = stack.resolve("logs").resolve(part + ".log");
                long n = 0;
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log);
                    for (String image : images) {
                        String marker = image + ": verified: the files at";
                        n += lines.stream().filter(l -> l.contains(marker)).count();
                    }
                }
                share.put(part, n);
            }
        }
        return share;
    }

    /** Polls until every hash is READY with its index BUILT; returns the images not ready by then. */
    List<String> awaitReady(Map<String, String> hashByRepository, Duration limit, AtomicLong failedReads) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> hashers = hashers();
        Map<String, String> waiting = new LinkedHashMap<>(hashByRepository);
        int n = 0;
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            for (var e : List.copyOf(waiting.entrySet())) {
                String hasher = hashers.get(n++ % hashers.size()); // reads from every replica
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(hasher + "/api/v1/images/"
                            + e.getValue() + "?repository=" + e.getKey())).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        failedReads.incrementAndGet();
                        continue;
                    }
                    JsonNode s = JSON.readTree(r.body());
                    if (s.path("outcome").asText().equals("READY") && s.path("index").path("state").asText().equals("BUILT")) {
                        waiting.remove(e.getKey());
                    }
                } catch (IOException ex) {
                    failedReads.incrementAndGet();
                }
            }
            Thread.sleep(500);
        }
        return waiting.entrySet().stream().map(e -> e.getKey() + ":builder-" + e.getValue()).toList();
    }

    JsonNode webhook(String hasher, String repository, String commit, String cloneUrl) throws Exception {
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit + "\",\"deleted\":false,"
                + "\"repository\":{\"full_name\":\"" + repository + "\",\"clone_url\":\"" + cloneUrl + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(Path.of(env.get("WEBHOOK_SECRET_FILE"))), "HmacSHA256"));
        return answer(HttpRequest.newBuilder(URI.create(hasher + "/webhooks/github"))
                .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    JsonNode resolve(String hasher, String repository, String commit, String sourceUrl, Map<String, String> files) throws Exception {
        String body = JSON.writeValueAsString(Map.of("repository", repository, "commit", commit, "sourceUrl", sourceUrl,
                "files", files));
        return answer(HttpRequest.newBuilder(URI.create(hasher + "/api/v1/resolve"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + Files.readString(Path.of(env.get("CI_TOKEN_FILE"))).strip())
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Sends, retrying a 503 (a decision not in yet, a broker away) for up to a minute, as CI's client does. */
    private JsonNode answer(HttpRequest.Builder request) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(40)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return JSON.readTree(r.body());
            }
            if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(1000);
        }
    }

    List<ConsumerRecord<String, String>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP"));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to " + ends + " within 60 s");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(all::add);
            }
        }
        return all;
    }

    void demoStack(String command, String part) throws Exception {
        Process p = new ProcessBuilder("scripts/demo-stack.sh", command, stack.toString(), part).inheritIO().start();
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("demo-stack.sh " + command + " " + part + " failed");
        }
    }

    static Map<String, String> seedFiles(String dockerfile) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("rust-toolchain.toml", "[toolchain]\nchannel = \"1.83.0\"\n");
        files.put("package.json", "{\"name\":\"sample\",\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n");
        files.put(".python-version", "3.12.7\n");
        files.put("pyproject.toml", "[project]\nname = \"sample\"\n\n[tool.uv]\nrequired-version = \">=0.5.11\"\n");
        files.put(".devcontainer/Dockerfile", dockerfile);
        return files;
    }

    /** Commits the files in the repository at {@code dir} (made on first use) with the git CLI; the new SHA. */
    static String commit(Path dir, Map<String, String> files) throws Exception {
        if (!Files.isDirectory(dir.resolve(".git"))) {
            Files.createDirectories(dir);
            git(dir, "init", "-q", "-b", "main");
            git(dir, "config", "user.email", "bench@imagefarm.invalid");
            git(dir, "config", "user.name", "imagefarm bench");
            git(dir, "config", "uploadpack.allowReachableSHA1InWant", "true");
        }
        for (var f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "farm bench");
        return git(dir, "rev-parse", "HEAD").trim();
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** stack.env as demo-stack.sh writes it (list values in double quotes). */
    static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                String v = line.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                values.put(line.substring(0, eq).trim(), v);
            }
        }
        return values;
    }
}
