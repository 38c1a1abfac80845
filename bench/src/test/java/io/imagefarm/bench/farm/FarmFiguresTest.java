package io.imagefarm.bench.farm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FarmFiguresTest {

    static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

    static FarmFigures.StatusRecord at(String image, String state, int second) {
        return new FarmFigures.StatusRecord(image, state, T0.plusSeconds(second));
    }

    @Test
    void theIdealIsTheSumOfBuildTimesOverTheWorkersAndTheMakespanEndsAtTheLastBuilt() {
        List<FarmFigures.StatusRecord> statuses = List.of(
                at("a", "REQUESTED", 1), at("a", "BUILDING", 2), at("a", "BUILDING", 5), at("a", "BUILT", 12),
                at("b", "BUILDING", 2), at("b", "BUILT", 12),
                at("c", "BUILDING", 12), at("c", "BUILT", 22),
                at("other", "BUILDING", 0), at("other", "BUILT", 100));

        FarmFigures.ArchFigures f = FarmFigures.arch(List.of("a", "b", "c"), statuses, T0, 2);

        assertThat(f.ideal()).isEqualTo(Duration.ofSeconds(15)); // (10 + 10 + 10) / 2
        assertThat(f.makespan()).isEqualTo(Duration.ofSeconds(22));
        assertThat(f.ratio()).isCloseTo(22 / 15.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(f.waitP50()).isEqualTo(Duration.ofSeconds(2));
        assertThat(f.waitP99()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void aSecondEventOrBuildOfAnImageIsNotExactlyOnce() {
        Map<String, List<String>> images = Map.of("amd64", List.of("a", "b"));
        FarmFigures once = new FarmFigures("normal", images, Map.of("a", 1L, "b", 1L), Map.of("a", 1L, "b", 1L), Map.of(),
                Map.of(), List.of());
        FarmFigures twice = new FarmFigures("normal", images, Map.of("a", 1L, "b", 2L), Map.of("a", 1L, "b", 1L), Map.of(),
                Map.of(), List.of());
        FarmFigures missing = new FarmFigures("normal", images, Map.of("a", 1L, "b", 1L), Map.of("a", 1L), Map.of(),
                Map.of(), List.of());

        assertThat(once.exactlyOnce()).isTrue();
        assertThat(twice.exactlyOnce()).isFalse();
        assertThat(missing.exactlyOnce()).isFalse();
    }

    @Test
    void onlyTheNormalRunsMakespanIsJudged() {
        FarmFigures.ArchFigures slow = new FarmFigures.ArchFigures(2, Duration.ofSeconds(30), Duration.ofSeconds(20),
                Duration.ZERO, Duration.ZERO);
        FarmFigures.ArchFigures fine = new FarmFigures.ArchFigures(2, Duration.ofSeconds(24), Duration.ofSeconds(20),
                Duration.ZERO, Duration.ZERO);
        Map<String, List<String>> images = Map.of("amd64", List.of("a"));
        FarmFigures normal = new FarmFigures("normal", images, Map.of("a", 1L), Map.of("a", 1L), Map.of("amd64", fine),
                Map.of("worker-amd64-1", 1L), List.of());
        FarmFigures killed = new FarmFigures("worker-kill", images, Map.of("a", 1L), Map.of("a", 1L), Map.of("amd64", slow),
                Map.of("worker-amd64-1", 1L), List.of());

        assertThat(new FarmReport(List.of(normal, killed), 1, 8, 2, 3, 2, 3).allGoalsPass()).isTrue();
        assertThat(new FarmReport(List.of(new FarmFigures("normal", images, Map.of("a", 1L), Map.of("a", 1L),
                Map.of("amd64", slow), Map.of("worker-amd64-1", 1L), List.of())), 1, 8, 2, 3, 2, 3).allGoalsPass()).isFalse();
        assertThat(new FarmReport(List.of(normal, killed), 1, 8, 2, 3, 2, 3).markdown()).contains("| normal, amd64: makespan");
    }
}
