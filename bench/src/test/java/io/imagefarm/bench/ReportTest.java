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

    private static final LoadFigure FAST_RESOLVE = new LoadFigure(3000, 0, 10, 20, 50);
    private static final LoadFigure FAST_HASH = new LoadFigure(4000, 0, 10, 15, 40);

    /** Keep-alive figures at 1 and 100 clients, new-connection figures at 100. */
    private static Report report(LoadFigure resolve100, LoadFigure hash100, LoadFigure resolveFresh100, LoadFigure hashFresh100,
                                 StormFigure storm, JmhFigure jmh) {
        TreeMap<Integer, LoadFigure> resolve = new TreeMap<>();
        TreeMap<Integer, LoadFigure> hash = new TreeMap<>();
        resolve.put(1, new LoadFigure(1000, 0, 10, 1.0, 2.0));
        hash.put(1, new LoadFigure(2000, 0, 10, 0.5, 1.0));
        resolve.put(100, resolve100);
        hash.put(100, hash100);
        TreeMap<Integer, LoadFigure> resolveFresh = new TreeMap<>();
        TreeMap<Integer, LoadFigure> hashFresh = new TreeMap<>();
        resolveFresh.put(100, resolveFresh100);
        hashFresh.put(100, hashFresh100);
        return new Report(MACHINE, "How.", resolve, hash, resolveFresh, hashFresh, storm, jmh);
    }

    private static StormFigure storm(double p99, double hashP99, int amd64Events, int arm64Events) {
        return storm(p99, hashP99, amd64Events, arm64Events, 300, 400);
    }

    /** Three rounds of 100 webhooks (the last storm's image got {@code amd64Events}, {@code arm64Events}) against four /hash storms. */
    private static StormFigure storm(double p99, double hashP99, int amd64Events, int arm64Events, int answered, int hashAnswered) {
        StormFigure.Latency w = new StormFigure.Latency(20, p99);
        StormFigure.Latency h = new StormFigure.Latency(8, hashP99);
        // each storm's p99 around the merged one, the median at it (the goal judges the medians)
        return new StormFigure(3, 300, answered, w, List.of(new StormFigure.Latency(20, p99 - 10), w, new StormFigure.Latency(19, p99 + 3)),
                List.of(new StormFigure.ArchEvents("amd64", List.of(1, 1, amd64Events), List.of(1, 1, amd64Events), 15L, 12L),
                        new StormFigure.ArchEvents("arm64", List.of(1, 1, arm64Events), List.of(1, 1, arm64Events), 16L, 12L)),
                new StormFigure.Reference(400, hashAnswered, h, List.of(h, new StormFigure.Latency(7, hashP99 - 5), h,
                        new StormFigure.Latency(9, hashP99 + 5))),
                new StormFigure.Latency(25, 140), new StormFigure.Latency(10, 30));
    }

    private static final JmhFigure JMH = new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 12_000, 300);

    @Test
    void everyGoalHoldsWhenResolveKeepsUpWithHashInBothModesAndTheStormPublishesOncePerArch() {
        Report r = report(FAST_RESOLVE, FAST_HASH, new LoadFigure(1000, 0, 10, 60, 90), new LoadFigure(1800, 0, 10, 45, 50),
                storm(120, 61, 1, 1), JMH);

        assertThat(r.goals()).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.PASS);
        assertThat(r.allGoalsPass()).isTrue();
        assertThat(r.goals()).extracting(Report.Goal::goal).containsExactly(
                "resolve of a known image, 100 clients: throughput ≥ 0.5× /hash's",
                "resolve of a known image, 100 clients: p99 ≤ 2.0× /hash's",
                "new connection per request: resolve of a known image, 100 clients: throughput ≥ 0.5× /hash's",
                "new connection per request: resolve of a known image, 100 clients: p99 ≤ 2.0× /hash's",
                "warm webhook storm (100 at once, 3 rounds): p99 ≤ 2.0× the same storm's on /hash (median of the storms' p99s), exactly one event per arch",
                "version hash (JMH): ≤ 50 µs");
        assertThat(r.goals().get(0).measured()).isEqualTo("0.75× (300 vs 400 req/s)");
        assertThat(r.goals().get(1).measured()).isEqualTo("1.25× (50.0 ms vs 40.0 ms)");
        assertThat(r.goals().get(2).measured()).isEqualTo("0.56× (100 vs 180 req/s)");
        assertThat(r.goals().get(3).measured()).isEqualTo("1.80× (90.0 ms vs 50.0 ms)");
        assertThat(r.goals().get(4).measured())
                .isEqualTo("1.97× (120 ms vs 61.0 ms); events per image: amd64 1, 1, 1, arm64 1, 1, 1; 300/300 answered 200");
        assertThat(r.goals().get(5).measured()).isEqualTo("12.0 µs");
    }

    @Test
    void eachGoalFailsOnItsOwnMeasure() {
        Report slow = report(new LoadFigure(400, 0, 10, 900, 2100), new LoadFigure(4000, 0, 10, 15, 57),
                new LoadFigure(490, 0, 10, 200, 201), new LoadFigure(1000, 0, 10, 50, 100),
                storm(250, 124, 1, 1), new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 51_000, 300));

        assertThat(slow.goals()).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.FAIL);
        assertThat(slow.allGoalsPass()).isFalse();
    }

    @Test
    void theNewConnectionGoalsAreJudgedApartFromTheKeepAliveOnes() {
        // As issue 18 measured it: fine with keep-alive, 0.41x and 2.8x with a new connection per request.
        Report r = report(FAST_RESOLVE, FAST_HASH, new LoadFigure(738, 0, 10, 60, 140), new LoadFigure(1800, 0, 10, 45, 50),
                storm(120, 61, 1, 1), JMH);

        assertThat(r.goals()).extracting(Report.Goal::verdict).containsExactly(Report.Verdict.PASS, Report.Verdict.PASS,
                Report.Verdict.FAIL, Report.Verdict.FAIL, Report.Verdict.PASS, Report.Verdict.PASS);
        assertThat(r.goals().get(2).measured()).isEqualTo("0.41× (74 vs 180 req/s)");
        assertThat(r.goals().get(3).measured()).isEqualTo("2.80× (140 ms vs 50.0 ms)");
    }

    @Test
    void theStormFailsOnAnyEventCountButOneOrAnUnansweredRequestOnEitherSide() {
        assertThat(report(FAST_RESOLVE, FAST_HASH, FAST_RESOLVE, FAST_HASH, storm(120, 61, 1, 0), null).goals())
                .extracting(Report.Goal::verdict).containsExactly(Report.Verdict.PASS, Report.Verdict.PASS, Report.Verdict.PASS,
                        Report.Verdict.PASS, Report.Verdict.FAIL, Report.Verdict.NOT_MEASURED);
        assertThat(report(FAST_RESOLVE, FAST_HASH, FAST_RESOLVE, FAST_HASH, storm(120, 61, 2, 1), JMH).goals().get(4).verdict())
                .isEqualTo(Report.Verdict.FAIL);
        assertThat(report(FAST_RESOLVE, FAST_HASH, FAST_RESOLVE, FAST_HASH, storm(120, 61, 1, 1, 299, 400), JMH).goals().get(4)
                .verdict()).isEqualTo(Report.Verdict.FAIL);
        Report hashRefused = report(FAST_RESOLVE, FAST_HASH, FAST_RESOLVE, FAST_HASH, storm(120, 61, 1, 1, 300, 390), JMH);
        assertThat(hashRefused.goals().get(4).verdict()).isEqualTo(Report.Verdict.FAIL);
        assertThat(hashRefused.goals().get(4).measured()).endsWith("; /hash 390/400 answered 200");
        // a storm whose image is missing from the topic counts as none, not as passing
        StormFigure missingStorm = new StormFigure(3, 300, 300, new StormFigure.Latency(20, 120), List.of(),
                List.of(new StormFigure.ArchEvents("amd64", List.of(1, 1), List.of(1, 1), 15L, 12L)),
                new StormFigure.Reference(400, 400, new StormFigure.Latency(8, 61), List.of()), new StormFigure.Latency(25, 140),
                new StormFigure.Latency(10, 30));
        assertThat(missingStorm.exactlyOneEventPerArch()).isFalse();
    }

    @Test
    void whatWasNotMeasuredIsNotMeasuredNotPassed() {
        Report r = new Report(MACHINE, "How.", new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), null, null);

        assertThat(r.goals()).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.NOT_MEASURED);
        assertThat(r.allGoalsPass()).isFalse();
    }

    @Test
    void errorsUnderLoadFailTheResolveGoalsEvenWhenTheAnsweredOnesAreFast() {
        Report r = report(new LoadFigure(3000, 7, 10, 1, 2), new LoadFigure(3000, 0, 10, 15, 40),
                FAST_RESOLVE, FAST_HASH, storm(120, 61, 1, 1), null);

        assertThat(r.goals().subList(0, 2)).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.FAIL);
        assertThat(r.goals().subList(2, 4)).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.PASS);
        assertThat(r.markdown()).contains("(7 errors)");

        Report fresh = report(FAST_RESOLVE, FAST_HASH, new LoadFigure(3000, 3, 10, 1, 2), FAST_HASH, storm(120, 61, 1, 1), null);
        assertThat(fresh.goals().subList(2, 4)).extracting(Report.Goal::verdict).containsOnly(Report.Verdict.FAIL);
    }

    @Test
    void markdownShowsEachFigureBesideItsReferenceWithTheMachine() {
        String md = report(FAST_RESOLVE, FAST_HASH, new LoadFigure(1000, 0, 10, 60, 90), new LoadFigure(1800, 0, 10, 45, 50),
                storm(120, 61, 1, 1), new JmhFigure("io.imagefarm.bench.VersionHashBench.hash", 12_345, 210)).markdown();

        assertThat(md).startsWith("Measured 2026-01-02 03:04 Z on Linux 6.1, nproc 2 (Test CPU), JVM OpenJDK 17.\nHow.\n")
                .contains("| kept alive | 100 | 300 | 20.0 ms | 50.0 ms | 400 | 15.0 ms | 40.0 ms | 0.75× | 1.25× |")
                .contains("| kept alive | 1 | 100 | 1.00 ms | 2.00 ms | 200 | 0.50 ms | 1.00 ms | 0.50× | 2.00× |")
                .contains("| new per request | 100 | 100 | 60.0 ms | 90.0 ms | 180 | 45.0 ms | 50.0 ms | 0.56× | 1.80× |")
                .contains("| warm webhook storms: 3 × 100 concurrent signed pushes, each storm for one new commit (a new hash), "
                        + "each push on a new connection | |")
                .contains("| answered 200 | 300 of 300 |")
                .contains("| latency p50 / p99, storms merged | 20.0 ms / 120 ms |")
                .contains("| each storm's p99 | 110 ms; 120 ms; 123 ms |")
                .contains("| reference: the same storms on `/hash` (4 × 100, one before each webhook storm and one after the last; "
                        + "400 of 400 answered 200), p50 / p99 | 8.00 ms / 61.0 ms |")
                .contains("| each `/hash` storm's p99 | 61.0 ms; 56.0 ms; 61.0 ms; 66.0 ms |")
                .contains("| median of the storms' p99s: webhook storms ÷ `/hash` storms (the goal's figure) | 120 ms ÷ 61.0 ms = 1.97× |")
                .contains("another new hash, p50 / p99 | 25.0 ms / 140 ms |")
                .contains("(fetched, nothing requested), p50 / p99 | 10.0 ms / 30.0 ms |")
                .contains("| `image-required.arm64` events per storm's image (from the topic; answers saying published) | 1, 1, 1; 1, 1, 1 |")
                .contains("record timestamp, median of the storms: after the first webhook; after its own request | 16 ms; 12 ms |")
                .contains("12,345 ± 210")
                .contains("| new connection per request: resolve of a known image, 100 clients: p99 ≤ 2.0× /hash's | 1.80× (90.0 ms vs 50.0 ms) | **PASS** |")
                .contains("| version hash (JMH): ≤ 50 µs | 12.3 µs | **PASS** |");
        // the keep-alive rows come first, in client order, then the new-connection rows
        assertThat(md.indexOf("| kept alive | 1 |")).isLessThan(md.indexOf("| kept alive | 100 |"));
        assertThat(md.indexOf("| kept alive | 100 |")).isLessThan(md.indexOf("| new per request | 100 |"));
    }

    @Test
    void aNewConnectionAnswerIsParsedWithContentLengthOrChunked() throws Exception {
        byte[] plain = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{\"a\":1}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(NewConnectionHttp.parse(plain)).isEqualTo(new HttpCall.Answer(200, "{\"a\":1}"));
        byte[] chunked = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(NewConnectionHttp.parse(chunked)).isEqualTo(new HttpCall.Answer(503, "{\"a\":1}"));
    }

    @Test
    void aNewConnectionRequestSaysConnectionCloseAndCarriesItsBody() {
        NewConnectionHttp http = new NewConnectionHttp(java.net.URI.create("http://127.0.0.1:8081"));
        String request = new String(http.request("POST", "/api/v1/hash", java.util.Map.of("Authorization", "Bearer t"),
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), java.nio.charset.StandardCharsets.ISO_8859_1);

        assertThat(request).isEqualTo("POST /api/v1/hash HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nAuthorization: Bearer t\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
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

    @Test
    void oneSlowHashStormDoesNotHideAStormThatIsSlowerThanTheOthers() {
        StormFigure.Latency w = new StormFigure.Latency(150, 206);
        StormFigure storm = new StormFigure(3, 300, 300, w, List.of(new StormFigure.Latency(150, 188), new StormFigure.Latency(150, 205),
                new StormFigure.Latency(150, 207)),
                List.of(new StormFigure.ArchEvents("amd64", List.of(1, 1, 1), List.of(1, 1, 1), 15L, 12L),
                        new StormFigure.ArchEvents("arm64", List.of(1, 1, 1), List.of(1, 1, 1), 16L, 12L)),
                new StormFigure.Reference(400, 400, new StormFigure.Latency(43, 310), List.of(new StormFigure.Latency(40, 338),
                        new StormFigure.Latency(40, 62.3), new StormFigure.Latency(40, 58.3), new StormFigure.Latency(40, 45.1))),
                new StormFigure.Latency(25, 140), new StormFigure.Latency(10, 30));

        assertThat(report(FAST_RESOLVE, FAST_HASH, FAST_RESOLVE, FAST_HASH, storm, JMH).goals())
                .filteredOn(g -> g.goal().startsWith("warm webhook storm"))
                .singleElement().satisfies(g -> {
                    assertThat(g.verdict()).isEqualTo(Report.Verdict.FAIL);
                    assertThat(g.measured()).startsWith("3.40×");
                });
    }
}
