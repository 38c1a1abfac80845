package io.imagefarm.bench.farm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoscaleReportTest {

    private static final Autoscaler.Policy POLICY = new Autoscaler.Policy(2, 0, 1, 3, Duration.ofSeconds(30));

    private static AutoscaleReport.Sample sample(long s, int amd64, int arm64) {
        return new AutoscaleReport.Sample(Duration.ofSeconds(s), Map.of("amd64", new QueueLag.Lag(0, 0), "arm64",
                new QueueLag.Lag(0, 0)), Map.of("amd64", amd64, "arm64", arm64), Map.of("amd64", amd64, "arm64", arm64), "");
    }

    private static AutoscaleReport.Step out(String arch, Duration ready) {
        return new AutoscaleReport.Step(arch, Duration.ZERO, 1, 2, "lag", Duration.ofSeconds(9), ready, ready);
    }

    private static AutoscaleReport.Step in(String arch) {
        return new AutoscaleReport.Step(arch, Duration.ofSeconds(90), 2, 1, "idle", Duration.ofSeconds(2), null, null);
    }

    private static AutoscaleReport report(List<AutoscaleReport.Step> steps, List<AutoscaleReport.Sample> timeline,
                                          Map<String, AutoscaleReport.ImageFigures> images, List<String> notReady) {
        return report(steps, timeline, images, notReady, Duration.ofSeconds(4));
    }

    private static AutoscaleReport report(List<AutoscaleReport.Step> steps, List<AutoscaleReport.Sample> timeline,
                                          Map<String, AutoscaleReport.ImageFigures> images, List<String> notReady,
                                          Duration idleReady) {
        return new AutoscaleReport(POLICY, Duration.ofSeconds(2), 1, 2, 1, 1, timeline, steps, images, notReady,
                Duration.ofSeconds(60), AutoscaleBench.READY_GOAL, idleReady);
    }

    private static Map<String, AutoscaleReport.ImageFigures> images(long events, long builds) {
        return images(events, builds, 0, builds);
    }

    private static Map<String, AutoscaleReport.ImageFigures> images(long events, long builds, long exists, long pushes) {
        return images(events, builds, exists, pushes, pushes);
    }

    private static Map<String, AutoscaleReport.ImageFigures> images(long events, long builds, long exists, long pushes,
                                                                   long pushesBegun) {
        return Map.of("a", new AutoscaleReport.ImageFigures("amd64", "r/a:1", events, builds, exists, pushes, pushesBegun,
                Duration.ofSeconds(3), Duration.ofSeconds(1), List.of("worker-amd64-2")));
    }

    @Test
    void passesWhenEveryPoolGrewAndShrankBackAndEveryBuildRanOnce() {
        AutoscaleReport r = report(List.of(out("amd64", Duration.ofSeconds(4)), out("arm64", Duration.ofSeconds(5)),
                in("amd64"), in("arm64")), List.of(sample(0, 1, 1), sample(10, 2, 2), sample(100, 1, 1)), images(1, 1), List.of());
        assertThat(r.allGoalsPass()).isTrue();
        assertThat(r.markdown()).contains("| amd64: workers added under the burst, removed after it | 1 → peak 2 → 1");
    }

    @Test
    void duplicatedOrMissingBuildsFail() {
        List<AutoscaleReport.Step> steps = List.of(out("amd64", Duration.ofSeconds(1)), out("arm64", Duration.ofSeconds(1)),
                in("amd64"), in("arm64"));
        List<AutoscaleReport.Sample> timeline = List.of(sample(0, 1, 1), sample(10, 2, 2), sample(100, 1, 1));
        assertThat(report(steps, timeline, images(1, 2), List.of()).duplicated()).as("a second BUILT, and its push").isEqualTo(2);
        assertThat(report(steps, timeline, images(1, 2), List.of()).allGoalsPass()).isFalse();
        assertThat(report(steps, timeline, images(1, 0), List.of()).lost()).isEqualTo(1);
        assertThat(report(steps, timeline, images(1, 1), List.of("demo/x:builder-h")).lost()).isEqualTo(1);
    }

    @Test
    void anImagePushedOnceAndFoundByItsEventsNextOwnerIsNeitherLostNorDuplicatedButASecondPushIs() {
        List<AutoscaleReport.Step> steps = List.of(out("amd64", Duration.ofSeconds(1)), out("arm64", Duration.ofSeconds(1)),
                in("amd64"), in("arm64"));
        List<AutoscaleReport.Sample> timeline = List.of(sample(0, 1, 1), sample(10, 2, 2), sample(100, 1, 1));
        AutoscaleReport handedOver = report(steps, timeline, images(1, 0, 1, 1), List.of());
        assertThat(handedOver.lost()).isZero();
        assertThat(handedOver.duplicated()).isZero();
        assertThat(handedOver.allGoalsPass()).isTrue();
        assertThat(handedOver.markdown()).contains("1 pushes, 0 BUILT (+1 EXISTS");
        AutoscaleReport pushedTwice = report(steps, timeline, images(1, 1, 1, 2), List.of());
        assertThat(pushedTwice.duplicated()).isEqualTo(1);
        assertThat(pushedTwice.allGoalsPass()).isFalse();
        assertThat(report(steps, timeline, images(1, 0, 1, 0), List.of()).allGoalsPass()).as("no push logged").isFalse();
        AutoscaleReport endUnseen = report(steps, timeline, images(1, 0, 1, 0, 1), List.of());
        assertThat(endUnseen.allGoalsPass()).as("a push begun, its end unseen (registry error after the write), then EXISTS")
                .isTrue();
        assertThat(report(steps, timeline, images(1, 1, 0, 0, 1), List.of()).allGoalsPass()).as("BUILT with no push done")
                .isFalse();
    }

    @Test
    void aPoolLeftAboveTheFloorOrAWorkerSlowToReadyFails() {
        AutoscaleReport stuck = report(List.of(out("amd64", Duration.ofSeconds(1)), out("arm64", Duration.ofSeconds(1)),
                in("arm64")), List.of(sample(0, 1, 1), sample(10, 2, 2), sample(100, 2, 1)), images(1, 1), List.of());
        assertThat(stuck.scaledOutAndIn("amd64")).isFalse();
        assertThat(stuck.scaledOutAndIn("arm64")).isTrue();
        List<AutoscaleReport.Step> steps = List.of(out("amd64", Duration.ofSeconds(40)), out("arm64", Duration.ofSeconds(1)),
                in("amd64"), in("arm64"));
        List<AutoscaleReport.Sample> timeline = List.of(sample(0, 1, 1), sample(10, 2, 2), sample(100, 1, 1));
        AutoscaleReport slow = report(steps, timeline, images(1, 1), List.of(), Duration.ofSeconds(6));
        assertThat(slow.readyGoalHolds()).isFalse();
        assertThat(slow.allGoalsPass()).isFalse();
        AutoscaleReport unmeasured = report(steps, timeline, images(1, 1), List.of(), null);
        assertThat(unmeasured.readyGoalHolds()).isFalse();
        assertThat(unmeasured.markdown()).contains("not measured");
        // judged on the worker started beside no build; the burst's figure is shown, not judged
        AutoscaleReport idleFast = report(steps, timeline, images(1, 1), List.of(), Duration.ofSeconds(4));
        assertThat(idleFast.readyGoalHolds()).isTrue();
        assertThat(idleFast.markdown()).contains("| 4.0 s | PASS |", "under the burst").contains("40.0 s (worst of 2)");
    }
}
