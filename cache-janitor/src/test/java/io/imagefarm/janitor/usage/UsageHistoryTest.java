package io.imagefarm.janitor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageHistoryTest {

    static final String HASH = "5ea78654994769b1";

    @Test
    void theIndexRefRecordsLastRequestTimeIsTheUsePerHashAndTheNewestWins() {
        Instant earlier = Instant.parse("2026-05-01T00:00:00Z");
        Instant later = Instant.parse("2026-05-20T00:00:00Z");
        UsageHistory usage = UsageHistory.empty()
                .add(ImageStatus.index("ghcr.io/acme/widget:builder-" + HASH, "acme/widget", HASH, BuildState.BUILT, null, later, later))
                .add(ImageStatus.index("ghcr.io/acme/widget:builder-" + HASH, "acme/widget", HASH, BuildState.REQUESTED, null, earlier, earlier))
                .add(ImageStatus.index("ghcr.io/acme/other:builder-" + HASH, "acme/other", null, BuildState.REQUESTED, null, earlier, earlier));

        assertThat(usage.lastRequested("ghcr.io/acme/widget")).containsExactlyEntriesOf(java.util.Map.of(HASH, later));
        assertThat(usage.lastRequested("ghcr.io/acme/other")).containsEntry(HASH, earlier);
        assertThat(usage.lastRequested("ghcr.io/acme/none")).isEmpty();
    }

    @Test
    void perArchBuildRecordsCarryNoRequestTimeAndAreIgnored() {
        ImageStatus perArch = ImageStatus.exists("ghcr.io/acme/widget:builder-" + HASH + "-amd64", "acme/widget", HASH, "amd64",
                "sha256:" + "a".repeat(64), "e1", Instant.now());
        assertThat(UsageHistory.empty().add(perArch).images()).isZero();
    }
}
