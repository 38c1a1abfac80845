package io.imagefarm.bench.farm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The autoscale simulation (scripts/farm-bench.sh --autoscale): no cluster runs here, so this drives the
 * embedded stack's worker count the way the chart's KEDA ScaledObject would. Every poll it reads each
 * arch's queue lag ({@link QueueLag}), asks that arch's {@link Autoscaler}, and applies a step with
 * {@code demo-stack.sh start DIR --workers amd64=N,arm64=M} (which starts the missing replicas, or
 * SIGTERMs the highest beyond a lowered count: the worker's graceful drain). Meanwhile a burst of new
 * images arrives, as in FarmBench; at the end every figure is read back from the topics and the logs.
 *
 * <p>Usage: {@code AutoscaleBench STACK_DIR OUT_DIR [repositories] [build-seconds]}; the policy from
 * system properties {@code autoscale.lag-threshold} (2), {@code .activation-lag-threshold} (0),
 * {@code .min} (1), {@code .max} (3), {@code .cooldown-seconds} (30), {@code .poll-seconds} (2). Exit 0
 * when every goal holds, 3 when one does not.
 */
public final class AutoscaleBench {

    /** The goal for a new worker: ready this soon after its JVM starts. */
    static final Duration READY_GOAL = Duration.ofSeconds(5);

    private final Path stack;
    private final FarmBench farm;
    private final Map<String, Autoscaler> scalers = new TreeMap<>();
    private final Map<String, Integer> replicas = new ConcurrentSkipListMap<>(); // read by the main thread too
    private final Duration poll;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService steps = Executors.newSingleThreadExecutor();
    private final ExecutorService watchers = Executors.newCachedThreadPool();
    private final List<AutoscaleReport.Sample> timeline = new CopyOnWriteArrayList<>();
    private final List<AutoscaleReport.Step> stepsTaken = new CopyOnWriteArrayList<>();
    private final AtomicReference<Future<?>> pending = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Instant origin = Instant.now();

    AutoscaleBench(Path stack, FarmBench farm, Autoscaler.Policy policy, Duration poll) {
        this.stack = stack;
        this.farm = farm;
        this.poll = poll;
        for (String arch : FarmBench.ARCHES) {
            scalers.put(arch, new Autoscaler(policy));
            replicas.put(arch, farm.workers(arch));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AutoscaleBench STACK_DIR OUT_DIR [repositories] [build-seconds]");
            System.exit(2);
        }
        Path stack = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int repositories = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        int buildSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Autoscaler.Policy policy = new Autoscaler.Policy(Long.getLong("autoscale.lag-threshold", 2),
                Long.getLong("autoscale.activation-lag-threshold", 0), Integer.getInteger("autoscale.min", 1),
                Integer.getInteger("autoscale.max", 3), Duration.ofSeconds(Long.getLong("autoscale.cooldown-seconds", 30)));
        Duration poll = Duration.ofSeconds(Long.getLong("autoscale.poll-seconds", 2));
        FarmBench farm = new FarmBench(stack, repositories, buildSeconds);
        AutoscaleBench bench = new AutoscaleBench(stack, farm, policy, poll);
        AutoscaleReport report = bench.run(repositories, buildSeconds, policy);
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.md"), report.markdown());
        System.out.println(report.markdown());
        System.exit(report.allGoalsPass() ? 0 : 3);
    }

    AutoscaleReport run(int repositories, int buildSeconds, Autoscaler.Policy policy) throws Exception {
        Map<String, String> env = FarmBench.readEnv(stack.resolve("stack.env"));
        ScheduledExecutorService controller = Executors.newSingleThreadScheduledExecutor();
        Map<String, String> hashByRepository;
        Map<String, List<String>> images = new TreeMap<>();
        List<String> notReady;
        Duration readyAt;
        Duration idleReady;
        try (QueueLag lag = new QueueLag(env.get("KAFKA_BOOTSTRAP"))) {
            try {
                origin = Instant.now();
                controller.scheduleWithFixedDelay(() -> tick(lag), 0, poll.toMillis(), TimeUnit.MILLISECONDS);
                hashByRepository = burst(env, repositories, buildSeconds, images);
                notReady = farm.awaitReady(hashByRepository, Duration.ofMinutes(20), new AtomicLong());
                readyAt = since(Instant.now());
                System.out.println("AUTOSCALE burst done at +" + AutoscaleReport.seconds(readyAt) + "; not ready: " + notReady);
                // Now the pools shrink back to the floor, one worker per cooldown; give it that plus slack.
                long settle = policy.cooldown().toMillis() * (policy.maxReplicas() - policy.minReplicas() + 1) + 180_000;
                long deadline = System.currentTimeMillis() + settle;
                while (System.currentTimeMillis() < deadline && failure.get() == null && !settled(policy)) {
                    Thread.sleep(poll.toMillis()); // the controller thread does the work; this only waits for it
                }
            } finally {
                // The controller's thread owns the lag reader: stop it before the reader closes.
                controller.shutdown();
                controller.awaitTermination(1, TimeUnit.MINUTES);
                Future<?> last = pending.get();
                if (last != null) {
                    last.get(5, TimeUnit.MINUTES);
                }
                steps.shutdown();
            }
            try {
                idleReady = failure.get() == null && settled(policy) ? idleStartToReady() : null;
            } finally {
                watchers.shutdownNow();
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the controller failed", failure.get());
        }
        return figures(policy, repositories, buildSeconds, images, notReady, readyAt, idleReady);
    }

    private boolean settled(Autoscaler.Policy policy) {
        Future<?> p = pending.get();
        return (p == null || p.isDone()) && replicas.values().stream().allMatch(r -> r == policy.minReplicas())
                && stepsTaken.stream().anyMatch(s -> s.to() < s.from());
    }

    /** One poll: the lags, and a step for the arches that want one (never while a step is still under way). */
    private void tick(QueueLag lag) {
        try {
            Instant now = Instant.now();
            Map<String, QueueLag.Lag> lags = new TreeMap<>();
            for (String arch : FarmBench.ARCHES) {
                lags.put(arch, lag.of(arch));
            }
            Future<?> p = pending.get();
            List<String> notes = new ArrayList<>();
            if (p != null && p.isDone()) {
                p.get(); // a failed step fails the run
            }
            if (p != null && !p.isDone()) {
                for (String arch : FarmBench.ARCHES) {
                    scalers.get(arch).observe(lags.get(arch).offsets(), replicas.get(arch), now);
                }
            } else {
                Map<String, Integer> target = new TreeMap<>(replicas);
                for (String arch : FarmBench.ARCHES) {
                    Autoscaler.Decision d = scalers.get(arch).decide(lags.get(arch).offsets(), replicas.get(arch), now);
                    if (d.action() != Autoscaler.Action.HOLD) {
                        notes.add(arch + " " + replicas.get(arch) + "→" + d.replicas() + " (" + d.reason() + ")");
                        target.put(arch, d.replicas());
                    }
                }
                if (!target.equals(replicas)) {
                    Map<String, Integer> before = new TreeMap<>(replicas);
                    replicas.putAll(target);
                    pending.set(steps.submit(() -> {
                        step(before, target, now, notes);
                        return null;
                    }));
                }
            }
            timeline.add(new AutoscaleReport.Sample(since(now), lags, new TreeMap<>(replicas), running(), String.join("; ", notes)));
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            System.err.println("AUTOSCALE controller: " + e);
        }
    }

    /** Applies one step through demo-stack.sh; for each worker it adds, measures process start → ready. */
    private void step(Map<String, Integer> before, Map<String, Integer> target, Instant decided, List<String> notes) throws Exception {
        Map<String, Future<Duration[]>> added = new TreeMap<>();
        for (String arch : FarmBench.ARCHES) {
            for (int n = before.get(arch) + 1; n <= target.get(arch); n++) {
                String part = "worker-" + arch + "-" + n;
                added.put(part, watchers.submit(() -> startToReady(part, decided)));
            }
        }
        System.out.println("AUTOSCALE +" + AutoscaleReport.seconds(since(decided)) + " " + notes + ": demo-stack.sh start --workers "
                + counts(target));
        applyCounts(target);
        Duration took = Duration.between(decided, Instant.now());
        for (String arch : FarmBench.ARCHES) {
            int from = before.get(arch);
            int to = target.get(arch);
            if (from == to) {
                continue;
            }
            String note = notes.stream().filter(s -> s.startsWith(arch + " ")).findFirst().orElse("");
            Duration[] ready = to > from ? added.get("worker-" + arch + "-" + to).get(1, TimeUnit.MINUTES) : null;
            stepsTaken.add(new AutoscaleReport.Step(arch, since(decided), from, to, note.substring(note.indexOf('(') + 1,
                    Math.max(note.indexOf('(') + 1, note.length() - 1)), took,
                    ready == null ? null : ready[0], ready == null ? null : ready[1]));
        }
    }

    private static String counts(Map<String, Integer> target) {
        return "amd64=" + target.get("amd64") + ",arm64=" + target.get("arm64");
    }

    /** demo-stack.sh starts the missing replicas, or SIGTERMs those beyond the count (their drain). */
    private void applyCounts(Map<String, Integer> target) throws Exception {
        String counts = counts(target);
        Process p = new ProcessBuilder("scripts/demo-stack.sh", "start", stack.toString(), "--workers", counts)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stack.resolve("logs").resolve("autoscale-steps.log").toFile()))
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("demo-stack.sh start --workers " + counts + " failed; see "
                    + stack.resolve("logs").resolve("autoscale-steps.log"));
        }
    }

    /** Starts of a worker beside no build; the median is judged, so one start slowed by the host is not. */
    static final int IDLE_STARTS = 3;

    /**
     * After the burst, with the pools at their floor and no build running: one amd64 worker more, as a new
     * node would start it, timed from its JVM's start to ready, and the pool back to its floor; {@link
     * #IDLE_STARTS} times.
     *
     * @return the median start-to-ready
     */
    private Duration idleStartToReady() throws Exception {
        Map<String, Integer> floor = new TreeMap<>(replicas);
        Map<String, Integer> plusOne = new TreeMap<>(floor);
        plusOne.merge("amd64", 1, Integer::sum);
        String part = "worker-amd64-" + plusOne.get("amd64");
        List<Duration> starts = new ArrayList<>();
        for (int i = 0; i < IDLE_STARTS; i++) {
            Future<Duration[]> ready = watchers.submit(() -> startToReady(part, Instant.now()));
            applyCounts(plusOne);
            starts.add(ready.get(1, TimeUnit.MINUTES)[1]);
            applyCounts(floor);
        }
        System.out.println("AUTOSCALE " + part + " started beside no build " + IDLE_STARTS + " times: ready "
                + starts.stream().map(AutoscaleReport::seconds).toList() + " after its JVM started");
        return starts.stream().sorted().toList().get(IDLE_STARTS / 2);
    }

    /**
     * Waits for a new worker's pid file and its readiness; returns {decision → ready, process start → ready}.
     * The process start is the kernel's (/proc/PID/stat), which is the JVM's: demo-stack.sh execs it.
     */
    private Duration[] startToReady(String part, Instant decided) throws Exception {
        Path pidFile = stack.resolve("pids").resolve(part);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        Instant started = null;
        String port = null;
        while (System.nanoTime() < deadline) {
            if (started == null && Files.isRegularFile(pidFile)) {
                String pid = Files.readString(pidFile).strip();
                if (!pid.isEmpty()) {
                    started = ProcessStart.of(Long.parseLong(pid));
                }
            }
            if (started != null && port == null) {
                port = FarmBench.readEnv(stack.resolve("ports.env")).get(portKey(part));
            }
            if (started != null && port != null) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("UP")) {
                        Instant ready = Instant.now();
                        return new Duration[] {Duration.between(decided, ready), Duration.between(started, ready)};
                    }
                } catch (IOException notYet) {
                    // not listening yet: the JVM is still starting
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(part + " was not ready within 4 minutes of the decision to add it");
    }

    /** demo-stack.sh's port name for a replica beyond the first: worker-amd64-2 → WORKER_AMD64_2_PORT. */
    static String portKey(String part) {
        int dash = part.lastIndexOf('-');
        String base = part.substring(0, dash).toUpperCase().replace('-', '_');
        String n = part.substring(dash + 1);
        return n.equals("1") ? base + "_PORT" : base + "_" + n + "_PORT";
    }

    /** Worker processes alive per arch, by their pid files (what is really running, beside the target). */
    private Map<String, Integer> running() {
        Map<String, Integer> running = new TreeMap<>();
        for (String arch : FarmBench.ARCHES) {
            int n = 0;
            File[] files = stack.resolve("pids").toFile().listFiles((d, name) -> name.matches("worker-" + arch + "-\\d+"));
            for (File f : files == null ? new File[0] : files) {
                try {
                    String pid = Files.readString(f.toPath()).strip();
                    if (!Files.isSymbolicLink(f.toPath()) && Files.isDirectory(Path.of("/proc", pid))) {
                        n++;
                    }
                } catch (IOException gone) {
                    // removed between the listing and the read: stopped
                }
            }
            running.put(arch, n);
        }
        return running;
    }

    private Map<String, String> burst(Map<String, String> env, int repositories, int buildSeconds,
                                      Map<String, List<String>> images) throws Exception {
        List<String[]> commits = new ArrayList<>(); // repository, commit, dockerfile, clone url
        for (int r = 0; r < repositories; r++) {
            Path dir = stack.resolve("sources").resolve("autoscale").resolve("repo-" + r);
            String dockerfile = "FROM " + env.get("BASE_IMAGE") + "\nRUN echo 'autoscale repo " + r + " " + UUID.randomUUID()
                    + "' > /marker && sleep " + buildSeconds + "\n";
            commits.add(new String[] {FarmBench.OWNER + "/autoscale-" + r, FarmBench.commit(dir, FarmBench.seedFiles(dockerfile)),
                    dockerfile, dir.toUri().toString()});
        }
        List<String> hashers = farm.hashers();
        ExecutorService callers = Executors.newFixedThreadPool(2 * repositories);
        List<Future<JsonNode>> answers = new ArrayList<>();
        System.out.println("AUTOSCALE burst: " + repositories + " new images at +" + AutoscaleReport.seconds(since(Instant.now())));
        for (int r = 0; r < repositories; r++) {
            String[] c = commits.get(r);
            String webhookTo = hashers.get(r % hashers.size());
            answers.add(callers.submit(() -> farm.webhook(webhookTo, c[0], c[1], c[3])));
            for (String hasher : hashers) { // CI jobs resolving the same commit
                answers.add(callers.submit(() -> farm.resolve(hasher, c[0], c[1], c[3], FarmBench.seedFiles(c[2]))));
            }
        }
        Map<String, String> hashByRepository = FarmBench.collect(answers, images);
        callers.shutdown();
        return hashByRepository;
    }

    private AutoscaleReport figures(Autoscaler.Policy policy, int repositories, int buildSeconds,
                                    Map<String, List<String>> images, List<String> notReady, Duration readyAt,
                                    Duration idleReady) throws Exception {
        Map<String, AutoscaleReport.ImageFigures> perImage = new TreeMap<>();
        Map<String, Long> events = new TreeMap<>();
        Map<String, Instant> eventAt = new TreeMap<>();
        for (String arch : FarmBench.ARCHES) {
            for (ConsumerRecord<String, String> r : farm.readAll("imagefarm.image-required." + arch)) {
                events.merge(r.key(), 1L, Long::sum);
                eventAt.merge(r.key(), Instant.ofEpochMilli(r.timestamp()), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        Map<String, Long> built = new TreeMap<>();
        Map<String, Long> exists = new TreeMap<>();
        Map<String, Instant> building = new TreeMap<>();
        for (ConsumerRecord<String, String> r : farm.readAll("imagefarm.image-status")) {
            if (r.value() == null) {
                continue;
            }
            String state = FarmBench.JSON.readTree(r.value()).path("state").asText();
            if (state.equals("BUILT")) {
                built.merge(r.key(), 1L, Long::sum);
            } else if (state.equals("EXISTS")) {
                exists.merge(r.key(), 1L, Long::sum);
            } else if (state.equals("BUILDING")) {
                building.merge(r.key(), Instant.ofEpochMilli(r.timestamp()), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        Map<String, List<String>> builtBy = loggedBy(images, image -> image + ": verified: the files at");
        Map<String, List<String>> pushedBy = loggedBy(images, image -> "built " + image + " (");
        Map<String, List<String>> triedBy = loggedBy(images, image -> image + ": pushing " + image + " with docker");
        for (var e : images.entrySet()) {
            for (String image : e.getValue()) {
                Instant from = eventAt.get(image);
                Instant to = building.get(image);
                perImage.put(image, new AutoscaleReport.ImageFigures(e.getKey(), image, events.getOrDefault(image, 0L),
                        built.getOrDefault(image, 0L), exists.getOrDefault(image, 0L),
                        pushedBy.getOrDefault(image, List.of()).size(), triedBy.getOrDefault(image, List.of()).size(),
                        from == null || to == null ? null : Duration.between(from, to),
                        from == null ? null : Duration.between(origin, from), builtBy.getOrDefault(image, List.of())));
            }
        }
        return new AutoscaleReport(policy, poll, repositories, buildSeconds, farm.hashers().size(), farm.brokers().size(),
                List.copyOf(timeline), List.copyOf(stepsTaken), perImage, notReady, readyAt, READY_GOAL, idleReady);
    }

    /**
     * The workers that logged a line holding {@code marker(image)}, once per line: "IMAGE: verified: the files
     * at" (once per build run), BuildxBuilder's "built IMAGE (" (once per push buildx reported done), or
     * buildx's step "IMAGE: pushing IMAGE with docker" (once per push begun, whatever its end).
     */
    private Map<String, List<String>> loggedBy(Map<String, List<String>> images,
                                               java.util.function.Function<String, String> marker) throws IOException {
        Map<String, List<String>> by = new TreeMap<>();
        File[] logs = stack.resolve("logs").toFile().listFiles((d, name) -> name.matches("worker-(amd64|arm64)-\\d+\\.log"));
        for (File log : logs == null ? new File[0] : logs) {
            String part = log.getName().replace(".log", "");
            List<String> lines = Files.readAllLines(log.toPath());
            for (List<String> refs : images.values()) {
                for (String image : refs) {
                    String text = marker.apply(image);
                    lines.stream().filter(l -> l.contains(text)).forEach(l -> by.computeIfAbsent(image, k -> new ArrayList<>()).add(part));
                }
            }
        }
        return by;
    }

    private Duration since(Instant at) {
        return Duration.between(origin, at);
    }
}
