package io.imagefarm.hasher.board;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Arch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The dashboard's overview: one row per repository, its current and recent version hashes, each with
 * a chip per arch. Made from the status book's snapshot and the {@link BuildBoard}; plain Java.
 */
public final class Overview {

    /** Hashes shown per repository: the current one and a few before it. */
    public static final int HASHES_PER_REPOSITORY = 5;
    /** Repositories shown at most (most recently requested first). */
    public static final int MAX_REPOSITORIES = 200;

    /** One arch of one hash. {@code elapsed} while building; {@code duration} once built. */
    public record Chip(String arch, String image, BuildState state, String digest, Duration elapsed, Duration duration,
                       Integer cachedSteps, Integer totalSteps, Instant since) {

        public String stateName() {
            return state == null ? "UNKNOWN" : state.name();
        }
    }

    public record HashRow(String versionHash, Instant lastRequested, List<Chip> chips, BuildState indexState) {

        public String indexStateName() {
            return indexState == null ? "UNKNOWN" : indexState.name();
        }
    }

    public record RepositoryRow(String repository, List<HashRow> hashes, String trendSvg) {

        public HashRow current() {
            return hashes.get(0);
        }

        public List<HashRow> recent() {
            return hashes.subList(1, hashes.size());
        }

        public Instant lastRequested() {
            return current().lastRequested();
        }
    }

    private Overview() {
    }

    public static List<RepositoryRow> of(List<ImageStatus> snapshot, BuildBoard board, List<Arch> arches,
                                         Predicate<String> readable, Instant now) {
        // repository -> hash -> statuses
        Map<String, Map<String, List<ImageStatus>>> byRepository = new TreeMap<>();
        for (ImageStatus s : snapshot) {
            if (s.repository() == null || s.versionHash() == null || !readable.test(s.repository())) {
                continue;
            }
            byRepository.computeIfAbsent(s.repository(), r -> new LinkedHashMap<>())
                    .computeIfAbsent(s.versionHash(), h -> new ArrayList<>()).add(s);
        }
        List<RepositoryRow> rows = new ArrayList<>();
        byRepository.forEach((repository, hashes) -> {
            List<HashRow> hashRows = hashes.entrySet().stream()
                    .map(e -> hashRow(e.getKey(), e.getValue(), board, arches, now))
                    .sorted(Comparator.comparing(HashRow::lastRequested, Comparator.nullsLast(Comparator.reverseOrder())))
                    .limit(HASHES_PER_REPOSITORY)
                    .toList();
            rows.add(new RepositoryRow(repository, hashRows, TrendChart.svg(board.recentBuilds(repository))));
        });
        rows.sort(Comparator.comparing(RepositoryRow::lastRequested, Comparator.nullsLast(Comparator.reverseOrder())));
        return rows.size() > MAX_REPOSITORIES ? rows.subList(0, MAX_REPOSITORIES) : rows;
    }

    static HashRow hashRow(String hash, List<ImageStatus> statuses, BuildBoard board, List<Arch> arches, Instant now) {
        Optional<ImageStatus> index = statuses.stream().filter(ImageStatus::isIndex).findFirst();
        Instant lastRequested = statuses.stream()
                .map(s -> s.lastRequestedAt() != null ? s.lastRequestedAt() : s.updatedAt())
                .max(Comparator.naturalOrder()).orElse(null);
        List<Chip> chips = new ArrayList<>();
        for (Arch arch : arches) {
            Optional<ImageStatus> st = statuses.stream().filter(s -> !s.isIndex() && arch.id().equals(s.arch())).findFirst();
            if (st.isEmpty()) {
                chips.add(new Chip(arch.id(), null, null, null, null, null, null, null, null));
                continue;
            }
            ImageStatus s = st.get();
            Instant since = s.state() == BuildState.BUILDING ? board.buildingSince(s.image()) : null;
            chips.add(new Chip(arch.id(), s.image(), s.state(), s.digest(),
                    since == null ? null : Duration.between(since, now), BuildBoard.duration(s),
                    s.cachedSteps(), s.totalSteps(), since));
        }
        return new HashRow(hash, lastRequested, chips, index.map(ImageStatus::state).orElse(null));
    }
}
