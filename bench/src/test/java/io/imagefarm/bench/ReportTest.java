package io.imagefarm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static final Report.Machine MACHINE = new Report.Machine(ZonedDateTime.of(2026, 1, 2, 3, 4, 0, 0, ZoneOffset.UTC),
            2, "Test CPU", "OpenJDK 17", "Linux 6.1");

    private static Report report(LoadFigure resolve100, LoadFigure hash100, StormFigure storm, JmhFigure jmh) {
        TreeMap<Integer, LoadFigure> resolve = new TreeMap<>();
        TreeMap<Integer, LoadFigure> hash = new TreeMap<>();
        resolve.put(1, new LoadFigure(1000, 0, 10, 1.0, 2.0));
        hash.put(1, new LoadFigure(2000, 0, 10, 0.5, 1.0));
        resolve.put(100, resolve100);
        hash.put(100, hash100);
        return new Report(MACHINE, "How.", resolve, hash, storm, jmh);
    }

    private static StormFigure storm(double p99, int amd64Events, int arm64Events) {
        return new StormFigure(100, 100, new StormFigure.Latency(20, p99), List.of(
                new StormFigure.ArchEvents("amd64", "r/demo/x:builder-h-amd64", amd64Events, amd64Events, 15L, 12L),
                new StormFigure.ArchEvents("arm64", "r/demo/x:builder-h-arm64", arm64Events, arm64Events, 16L, 12L)),
                new StormFigure.Latency(10, 30));
    }

    @Test
    void everyGoalHoldsWhenResolveKeepsUpWithHashAndTheStormPublishesOncePerArch() {
        Report r = report(new LoadFigure(3000, 0, 10, 20, 50), new LoadFigure(4000, 0, 10, 15, 40),
                storm(120, 1, 1), new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 12_000, 300));

        assertThat(r.goals()).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.PASS);
        assertThat(r.allGoalsPass()).isTrue();
        assertThat(r.goals().get(0).measured()).isEqualTo("0.75× (300 vs 400 req/s)");
        assertThat(r.goals().get(1).measured()).isEqualTo("1.25× (50.0 ms vs 40.0 ms)");
        assertThat(r.goals().get(3).measured()).isEqualTo("12.0 µs");
    }

    @Test
    void eachGoalFailsOnItsOwnMeasure() {
        Report slow = report(new LoadFigure(400, 0, 10, 900, 2100), new LoadFigure(4000, 0, 10, 15, 57),
                storm(250, 1, 2), new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 51_000, 300));

        assertThat(slow.goals()).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.FAIL);
        assertThat(report(new LoadFigure(3000, 0, 10, 20, 50), new LoadFigure(4000, 0, 10, 15, 40), storm(120, 1, 0), null)
                .goals()).extracting(Report.Goal::verdict)
                .containsExactly(Report.Verdict.PASS, Report.Verdict.PASS, Report.Verdict.FAIL, Report.Verdict.NOT_MEASURED);
    }

    @Test
    void errorsUnderLoadFailTheResolveGoalsEvenWhenTheAnsweredOnesAreFast() {
        Report r = report(new LoadFigure(3000, 7, 10, 1, 2), new LoadFigure(3000, 0, 10, 15, 40), storm(120, 1, 1), null);

        assertThat(r.goals().subList(0, 2)).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.FAIL);
        assertThat(r.markdown()).contains("(7 errors)");
    }

    @Test
    void markdownShowsEachFigureBesideItsReferenceWithTheMachine() {
        String md = report(new LoadFigure(3000, 0, 10, 20, 50), new LoadFigure(4000, 0, 10, 15, 40), storm(120, 1, 1),
                new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 12_345, 210)).markdown();

        assertThat(md).startsWith("Measured 2026-01-02 03:04 Z on Linux 6.1, nproc 2 (Test CPU), JVM OpenJDK 17.")
                .contains("| 100 | 300 | 20.0 ms | 50.0 ms | 400 | 15.0 ms | 40.0 ms | 0.75× | 1.25× |")
                .contains("| 1 | 100 | 1.00 ms | 2.00 ms | 200 | 0.50 ms | 1.00 ms | 0.50× | 2.00× |")
                .contains("| latency p50 / p99 | 20.0 ms / 120 ms |")
                .contains("nothing published), p50 / p99 | 10.0 ms / 30.0 ms |")
                .contains("12,345 ± 210")
                .contains("| version hash (JMH): ≤ 50 µs | 12.3 µs | **PASS** |");
    }

    @Test
    void readsTheAverageTimeOfTheNamedBenchmarkFromJmhJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("jmh.json");
        Files.writeString(json, """
                [{"benchmark":"io.imagefarm.bench.VersionHashBench.hash","mode":"avgt",
                  "primaryMetric":{"score":12.5,"scoreError":0.25,"scoreUnit":"us/op"}}]
                """);

        assertThat(JmhFigure.read(json, "VersionHashBench.hash"))
                .contains(new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 12_500, 250));
        assertThat(JmhFigure.read(json, "Other.bench")).isEmpty();
    }
}
