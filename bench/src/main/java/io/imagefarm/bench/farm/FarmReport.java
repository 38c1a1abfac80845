package io.imagefarm.bench.farm;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The farm benchmark's report: the goals judged, and a table per run (the README shows it). */
public record FarmReport(List<FarmFigures> runs, int repositories, int buildSeconds, int hashers, int amd64Workers,
                         int arm64Workers, int brokers) {

    /** Makespan at most this times the ideal (sum of build times over workers), per arch, in the normal run. */
    static final double MAX_MAKESPAN_RATIO = 1.25;

    boolean allGoalsPass() {
        return runs.stream().allMatch(r -> r.exactlyOnce() && r.lost() == 0)
                && runs.stream().filter(r -> r.scenario().equals("normal"))
                .allMatch(r -> r.perArch().values().stream().allMatch(a -> a.ratio() <= MAX_MAKESPAN_RATIO));
    }

    static String line(FarmFigures f) {
        StringBuilder s = new StringBuilder("FARM " + f.scenario() + ": exactly once " + f.exactlyOnce() + ", lost " + f.lost());
        f.perArch().forEach((arch, a) -> s.append(String.format(Locale.ROOT, "; %s makespan %s vs ideal %s (%.2fx)", arch,
                seconds(a.makespan()), seconds(a.ideal()), a.ratio())));
        return s.append("; builds per worker ").append(f.share()).toString();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Farm benchmark\n\n")
                .append(String.format(Locale.ROOT, "%d repositories push a new commit at once (signed webhooks spread over %d "
                        + "hashers, CI resolves of the same commits on every hasher); %d brokers, %d amd64 and %d arm64 workers "
                        + "(arm64 under QEMU); each build `sleep %d` plus the build's own work. Figures from the topics "
                        + "(read_committed) and the workers' logs. Before the runs, a warm-up burst (not measured) has every "
                        + "worker build once: a worker's first build in a fresh JVM starts late (its first registry call, git "
                        + "fetch and status sent), which is the stack's start-up, not the farm's sharing of a burst.%n%n", repositories, hashers, brokers, amd64Workers, arm64Workers,
                        buildSeconds));
        md.append("| Goal | Measured | Verdict |\n|---|---|---|\n");
        for (FarmFigures r : runs) {
            long events = r.events().values().stream().mapToLong(Long::longValue).sum();
            long builds = r.builds().values().stream().mapToLong(Long::longValue).sum();
            long images = r.images().values().stream().mapToLong(List::size).sum();
            md.append(String.format(Locale.ROOT, "| %s: 1 event and 1 build per image and arch, none lost | %d images: %d events, "
                    + "%d builds, %d lost | %s |%n", r.scenario(), images, events, builds, r.lost(),
                    r.exactlyOnce() && r.lost() == 0 ? "PASS" : "FAIL"));
            if (r.scenario().equals("normal")) {
                r.perArch().forEach((arch, a) -> md.append(String.format(Locale.ROOT,
                        "| normal, %s: makespan ≤ %.2f× ideal | %s vs %s (%.2f×) | %s |%n", arch, MAX_MAKESPAN_RATIO,
                        seconds(a.makespan()), seconds(a.ideal()), a.ratio(), a.ratio() <= MAX_MAKESPAN_RATIO ? "PASS" : "FAIL")));
            }
        }
        md.append("\n| Run | Arch | Workers | Makespan | Ideal | Ratio | Queue wait p50 | p99 |\n|---|---|---|---|---|---|---|---|\n");
        for (FarmFigures r : runs) {
            for (Map.Entry<String, FarmFigures.ArchFigures> e : r.perArch().entrySet()) {
                FarmFigures.ArchFigures a = e.getValue();
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.2f× | %s | %s |%n", r.scenario(), e.getKey(),
                        a.workers(), seconds(a.makespan()), seconds(a.ideal()), a.ratio(), seconds(a.waitP50()),
                        seconds(a.waitP99())));
            }
        }
        md.append("\nBuilds per worker (share of the run's builds):\n\n| Run | ")
                .append(String.join(" | ", runs.get(0).share().keySet())).append(" |\n|---|")
                .append("---|".repeat(runs.get(0).share().size())).append('\n');
        for (FarmFigures r : runs) {
            md.append("| ").append(r.scenario()).append(" | ");
            r.share().values().forEach(n -> md.append(n).append(" | "));
            md.append('\n');
        }
        md.append("\nIdeal: for each arch, the sum of its build times (first BUILDING to BUILT) divided by its worker count. "
                + "Queue wait: webhook sent to the image's first BUILDING. In the kill runs, one amd64 worker or one broker "
                + "is SIGKILLed midway (the supervisor restarts the worker; the broker is started again after the run): "
                + "their makespan is reported, not judged. A killed worker's build counts in its share only if it verified "
                + "its files before it died.\n");
        return md.toString();
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
