package io.imagefarm.bench.farm;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One farm run's figures, from what the topics hold (read_committed) and the workers' logs. Plain
 * Java, so its arithmetic is tested without a farm.
 *
 * @param scenario    normal, worker-kill or broker-kill
 * @param images      per-arch image refs of the run, by arch
 * @param events      image-required events per image ref
 * @param builds      BUILT statuses per image ref
 * @param perArch     makespan, ideal and queue waits, by arch
 * @param share       builds per worker (part name), from the workers' logs
 * @param notReady    images of the run not READY (with their index) when the run ended: lost
 */
public record FarmFigures(String scenario, Map<String, List<String>> images, Map<String, Long> events,
                          Map<String, Long> builds, Map<String, ArchFigures> perArch, Map<String, Long> share,
                          List<String> notReady) {

    /**
     * @param makespan   first webhook sent → last BUILT of the arch
     * @param ideal      the sum of the arch's build times (BUILDING → BUILT) over its worker count
     * @param waitP50    webhook sent → first BUILDING, median
     * @param waitP99    the same, 99th percentile
     */
    public record ArchFigures(int workers, Duration makespan, Duration ideal, Duration waitP50, Duration waitP99) {

        public double ratio() {
            return ideal.isZero() ? Double.NaN : (double) makespan.toMillis() / ideal.toMillis();
        }
    }

    /** One status record of a per-arch image, as read from the topic. */
    public record StatusRecord(String image, String state, Instant at) {
    }

    /** Every image of the run had exactly one event and one build. */
    public boolean exactlyOnce() {
        return images.values().stream().flatMap(Collection::stream)
                .allMatch(i -> events.getOrDefault(i, 0L) == 1 && builds.getOrDefault(i, 0L) == 1);
    }

    public long lost() {
        return notReady.size();
    }

    static ArchFigures arch(List<String> images, List<StatusRecord> statuses, Instant start, int workers) {
        Map<String, Instant> firstBuilding = new HashMap<>();
        Map<String, Instant> lastBuilt = new HashMap<>();
        for (StatusRecord s : statuses) {
            if (!images.contains(s.image())) {
                continue;
            }
            if (s.state().equals("BUILDING")) {
                firstBuilding.merge(s.image(), s.at(), (a, b) -> a.isBefore(b) ? a : b);
            } else if (s.state().equals("BUILT")) {
                lastBuilt.merge(s.image(), s.at(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        Duration sum = Duration.ZERO;
        Instant end = start;
        List<Duration> waits = new ArrayList<>();
        for (String image : images) {
            Instant building = firstBuilding.get(image);
            Instant built = lastBuilt.get(image);
            if (building != null) {
                waits.add(Duration.between(start, building));
            }
            if (building != null && built != null) {
                sum = sum.plus(Duration.between(building, built));
            }
            if (built != null && built.isAfter(end)) {
                end = built;
            }
        }
        return new ArchFigures(workers, Duration.between(start, end), workers == 0 ? Duration.ZERO : sum.dividedBy(workers),
                percentile(waits, 50), percentile(waits, 99));
    }

    /** Nearest-rank percentile; zero for no values. */
    static Duration percentile(List<Duration> values, int p) {
        if (values.isEmpty()) {
            return Duration.ZERO;
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    static Map<String, Long> count(List<String> keys, Collection<String> of) {
        Map<String, Long> counts = new TreeMap<>();
        for (String k : keys) {
            if (of.contains(k)) {
                counts.merge(k, 1L, Long::sum);
            }
        }
        return counts;
    }
}
