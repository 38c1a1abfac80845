package io.imagefarm.bench.farm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The autoscale simulation's figures and report: the goals judged, the scaling steps, replicas over time
 * and each image's queue wait. Plain Java, so the verdicts are tested without a farm.
 *
 * @param timeline  one sample per controller poll
 * @param steps     the scaling steps applied, per arch
 * @param images    per-arch image ref → its figures
 * @param notReady  images not READY with their index when the burst's wait ended: lost
 * @param readyAt   burst start → every image READY
 * @param idleProcessToReady a worker added after the burst, on a host with no build running (as a new node
 *                  would be): its JVM's start → ready, the median of its starts, the figure the goal judges;
 *                  null when not measured
 */
public record AutoscaleReport(Autoscaler.Policy policy, Duration poll, int repositories, int buildSeconds, int hashers,
                              int brokers, List<Sample> timeline, List<Step> steps, Map<String, ImageFigures> images,
                              List<String> notReady, Duration readyAt, Duration readyGoal, Duration idleProcessToReady) {

    /** A poll: time since the run started, each arch's lag, target replicas and worker processes running, steps decided. */
    public record Sample(Duration at, Map<String, QueueLag.Lag> lag, Map<String, Integer> replicas,
                         Map<String, Integer> running, String note) {
    }

    /**
     * A step: decided at {@code at}; {@code took} is decision → demo-stack.sh done; for a worker added,
     * {@code decisionToReady} and {@code processToReady} (its JVM's start → /q/health/ready UP).
     */
    public record Step(String arch, Duration at, int from, int to, String reason, Duration took,
                       Duration decisionToReady, Duration processToReady) {
    }

    /**
     * One per-arch image: its image-required events, BUILT and EXISTS statuses on the topics, the pushes the
     * workers logged as done and as begun, event → first BUILDING, and the workers that ran its build (more
     * than one: a rebalance handed it over).
     */
    public record ImageFigures(String arch, String image, long events, long builds, long exists, long pushes,
                               long pushesBegun, Duration queueWait, Duration eventAt, List<String> ranBy) {
    }

    /** Events, BUILT statuses or pushes beyond one per image: work done twice. */
    long duplicated() {
        return images.values().stream().mapToLong(i -> Math.max(0, i.events() - 1) + Math.max(0, i.builds() - 1)
                + Math.max(0, i.pushes() - 1)).sum();
    }

    /**
     * Images lost: not READY at the end, or without an event or an outcome on the topics. An image with
     * EXISTS and no BUILT is not lost: it was pushed once, and its event's next owner found it there.
     */
    long lost() {
        return notReady.size() + images.values().stream()
                .filter(i -> i.events() == 0 || i.builds() + i.exists() == 0).count();
    }

    /**
     * One event and one push, recorded BUILT; or a push begun whose end its worker did not see (a registry
     * error after the write, a hand-over before BUILT), recorded EXISTS by the attempt that found it there.
     * An EXISTS with no push begun by any worker is not accepted: nothing here says who pushed it.
     */
    long pushedOnce() {
        return images.values().stream().filter(i -> i.events() == 1 && i.builds() <= 1 && (i.pushes() == 1
                ? i.builds() + i.exists() >= 1 : i.pushes() == 0 && i.exists() >= 1 && i.pushesBegun() >= 1)).count();
    }

    int peak(String arch) {
        return timeline.stream().mapToInt(s -> s.replicas().getOrDefault(arch, 0)).max().orElse(0);
    }

    int last(String arch) {
        return timeline.isEmpty() ? 0 : timeline.get(timeline.size() - 1).replicas().getOrDefault(arch, 0);
    }

    boolean scaledOutAndIn(String arch) {
        return steps.stream().anyMatch(s -> s.arch().equals(arch) && s.to() > s.from())
                && steps.stream().anyMatch(s -> s.arch().equals(arch) && s.to() < s.from())
                && last(arch) == policy.minReplicas();
    }

    List<Duration> processToReady() {
        return steps.stream().map(Step::processToReady).filter(Objects::nonNull).toList();
    }

    /**
     * Judged on a worker started beside no build: under the burst the new JVM shares two cores with the
     * builds (arm64 under QEMU) and five other JVMs, which a new node of a real farm does not.
     */
    boolean readyGoalHolds() {
        return idleProcessToReady != null && idleProcessToReady.compareTo(readyGoal) <= 0;
    }

    boolean allGoalsPass() {
        return FarmBench.ARCHES.stream().allMatch(this::scaledOutAndIn) && lost() == 0 && duplicated() == 0
                && pushedOnce() == images.size() && !images.isEmpty() && readyGoalHolds();
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# Farm benchmark: autoscale simulation\n\n");
        md.append(String.format(Locale.ROOT, "No cluster runs here, so `AutoscaleBench` drives the embedded stack's worker "
                + "count the way the chart's KEDA ScaledObject would: every %d s it reads each arch's lag (group "
                + "`builder-<arch>` on `imagefarm.image-required.<arch>`, read_committed), wants ⌈lag ÷ %d⌉ workers "
                + "within [%d, %d] (the floor when the lag is at most %d, the activation threshold), adds one worker per "
                + "step while it wants more, and once it has wanted fewer for the cooldown of %d s (the HPA's scale-down "
                + "stabilization), SIGTERMs one (the worker's graceful drain), one per cooldown. "
                + "Steps go through `demo-stack.sh start DIR --workers amd64=N,arm64=M`. The burst: %d repositories push a "
                + "new commit at once (signed webhooks, and CI resolves on every hasher), each a new image whose build is "
                + "`sleep %d` plus the build's own work; %d broker(s), %d hasher(s), 1 worker per arch at the start (arm64 "
                + "under QEMU). Lag is KEDA's figure, end minus committed offsets: a queued event counts about 2 in it (its "
                + "record and its transaction's commit marker), so the threshold of %d is about %d event(s) per worker, "
                + "and an idle partition reads 0 only because the workers commit past the marker that follows their "
                + "last event (`imagefarm.worker.marker-commit-interval`, 30 s). The records behind it are shown "
                + "beside, in brackets.%n%n", poll.toSeconds(), policy.lagThreshold(),
                policy.minReplicas(), policy.maxReplicas(), policy.activationLagThreshold(), policy.cooldown().toSeconds(),
                repositories, buildSeconds, brokers, hashers, policy.lagThreshold(), Math.max(1, policy.lagThreshold() / 2)));
        md.append("| Goal | Measured | Verdict |\n|---|---|---|\n");
        for (String arch : FarmBench.ARCHES) {
            md.append(String.format(Locale.ROOT, "| %s: workers added under the burst, removed after it | %d → peak %d → %d "
                    + "(%d steps out, %d in) | %s |%n", arch, timeline.isEmpty() ? 0 : timeline.get(0).replicas().getOrDefault(arch, 0),
                    peak(arch), last(arch), steps.stream().filter(s -> s.arch().equals(arch) && s.to() > s.from()).count(),
                    steps.stream().filter(s -> s.arch().equals(arch) && s.to() < s.from()).count(),
                    verdict(scaledOutAndIn(arch))));
        }
        long events = images.values().stream().mapToLong(ImageFigures::events).sum();
        long builds = images.values().stream().mapToLong(ImageFigures::builds).sum();
        long exists = images.values().stream().mapToLong(ImageFigures::exists).sum();
        long pushes = images.values().stream().mapToLong(ImageFigures::pushes).sum();
        md.append(String.format(Locale.ROOT, "| 1 image-required event and 1 push per image and arch; every image READY "
                + "with its index | %d images: %d events, %d pushes, %d BUILT%s; %d lost, %d duplicated | %s |%n",
                images.size(), events, pushes, builds, exists == 0 ? "" : " (+" + exists + " EXISTS: a push whose end its "
                + "worker did not see, a registry error after the write or a hand-over before BUILT, found in the "
                + "registry by the next attempt)", lost(), duplicated(),
                verdict(lost() == 0 && duplicated() == 0 && pushedOnce() == images.size() && !images.isEmpty())));
        Duration worst = processToReady().stream().max(Duration::compareTo).orElse(null);
        md.append(String.format(Locale.ROOT, "| an added worker ready ≤ %s after its JVM starts, on a host with no build "
                + "running (a new node; the median of %d starts) | %s | %s |%n", seconds(readyGoal), AutoscaleBench.IDLE_STARTS,
                idleProcessToReady == null ? "not measured" : seconds(idleProcessToReady), verdict(readyGoalHolds())));
        md.append(String.format(Locale.ROOT, "| (for reference) the same under the burst, beside the builds on this "
                + "host's two cores | %s (worst of %d) | – |%n%n", worst == null ? "none added" : seconds(worst),
                processToReady().size()));
        md.append("Every image READY with its index at +").append(seconds(readyAt)).append(" after the run started.\n\n");

        md.append("## Scaling steps\n\n| Decided at | Arch | Workers | Why | Step done after | Decision → ready | "
                + "JVM start → ready |\n|---|---|---|---|---|---|---|\n");
        for (Step s : steps) {
            md.append(String.format(Locale.ROOT, "| +%s | %s | %d → %d | %s | %s | %s | %s |%n", seconds(s.at()), s.arch(),
                    s.from(), s.to(), s.reason(), seconds(s.took()), orDash(s.decisionToReady()), orDash(s.processToReady())));
        }
        md.append("\nA worker added takes its share of partitions in a cooperative rebalance; one removed is SIGTERMed and "
                + "drains (demo-stack.sh waits for its exit), and as a static group member its partitions move on when "
                + "its session (10 s) expires.\n\n");

        md.append("## Replicas over time\n\nOne row per change (lag as KEDA reads it, end − committed offsets, records in brackets; "
                + "workers as target / processes running).\n\n| t | amd64 lag | amd64 workers | arm64 lag | arm64 workers | "
                + "Step |\n|---|---|---|---|---|---|\n");
        String previous = null;
        for (Sample s : timeline) {
            String row = String.format(Locale.ROOT, " | %s | %s | %s | %s | %s |", lag(s, "amd64"), workers(s, "amd64"),
                    lag(s, "arm64"), workers(s, "arm64"), s.note());
            if (!row.equals(previous)) {
                md.append("| +").append(seconds(s.at())).append(row).append('\n');
                previous = row;
            }
        }

        md.append("\n## Queue wait per image\n\nFrom the image-required event's timestamp to the image's first BUILDING "
                + "status (both from the topics); the workers that ran the build from their logs (two: a rebalance handed it "
                + "over).\n\n| Arch | Image | Event at | Queue wait | Events | BUILT | EXISTS | Ran by |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        List<ImageFigures> sorted = new ArrayList<>(images.values());
        sorted.sort((a, b) -> a.arch().equals(b.arch()) ? compare(a.eventAt(), b.eventAt()) : a.arch().compareTo(b.arch()));
        for (ImageFigures i : sorted) {
            md.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %s | %d | %d | %d | %s |%n", i.arch(),
                    shortRef(i.image()), i.eventAt() == null ? "–" : "+" + seconds(i.eventAt()), orDash(i.queueWait()),
                    i.events(), i.builds(), i.exists(), String.join(", ", i.ranBy())));
        }
        md.append("\n| Arch | Queue wait p50 | max |\n|---|---|---|\n");
        for (String arch : FarmBench.ARCHES) {
            List<Duration> waits = images.values().stream().filter(i -> i.arch().equals(arch)).map(ImageFigures::queueWait)
                    .filter(Objects::nonNull).toList();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", arch, seconds(FarmFigures.percentile(waits, 50)),
                    seconds(FarmFigures.percentile(waits, 100))));
        }
        if (!notReady.isEmpty()) {
            md.append("\nNot READY at the end: ").append(notReady).append('\n');
        }
        return md.toString();
    }

    private static int compare(Duration a, Duration b) {
        return a == null ? (b == null ? 0 : 1) : b == null ? -1 : a.compareTo(b);
    }

    private static String lag(Sample s, String arch) {
        QueueLag.Lag l = s.lag().get(arch);
        return l == null ? "–" : l.offsets() + " (" + l.records() + ")";
    }

    private static String workers(Sample s, String arch) {
        return s.replicas().getOrDefault(arch, 0) + " / " + s.running().getOrDefault(arch, 0);
    }

    /** The repository path and tag of a ref: the registry host is the same for all. */
    private static String shortRef(String ref) {
        int slash = ref.indexOf('/');
        return slash < 0 ? ref : ref.substring(slash + 1);
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    private static String orDash(Duration d) {
        return d == null ? "–" : seconds(d);
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
