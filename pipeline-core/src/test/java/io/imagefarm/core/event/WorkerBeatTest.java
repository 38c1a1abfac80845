package io.imagefarm.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefarm.core.image.Arch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The worker beat's JSON form, pinned, and the rules an untrusted beat is held to. */
class WorkerBeatTest {

    static final String IMAGE = "ghcr.io/acme/widget:builder-5ea78654994769b1-arm64";

    static WorkerBeat building() {
        return WorkerBeat.of("worker-arm64-1", Arch.ARM64, WorkerBeat.State.BUILDING,
                List.of(new WorkerBeat.Build(IMAGE, Instant.parse("2026-11-28T12:00:05Z"))),
                Instant.parse("2026-11-28T12:00:05Z"), Duration.ofSeconds(5), Instant.parse("2026-11-28T12:00:20Z"));
    }

    static ObjectNode golden() throws Exception {
        return (ObjectNode) EventGoldenFilesTest.golden("worker-beat-building.v1.json");
    }

    static WorkerBeat decode(JsonNode node) throws Exception {
        return EventCodec.decode(EventGoldenFilesTest.JSON.writeValueAsBytes(node), WorkerBeat.class);
    }

    @Test
    void aBuildingBeatEncodesExactlyAsTheGoldenFileAndDecodesBack() throws Exception {
        assertThat(EventGoldenFilesTest.JSON.readTree(EventCodec.encode(building()))).isEqualTo(golden());
        assertThat(decode(golden())).isEqualTo(building());
    }

    @Test
    void anIdleBeatCarriesNoBuildsAndUnknownFieldsAreIgnored() throws Exception {
        ObjectNode node = golden();
        node.put("state", "IDLE");
        node.putArray("builds");
        node.put("addedInV2", "whatever");
        WorkerBeat idle = decode(node);
        assertThat(idle.state()).isEqualTo(WorkerBeat.State.IDLE);
        assertThat(idle.builds()).isEmpty();
        assertThat(idle.interval()).isEqualTo(Duration.ofSeconds(5));

        node.remove("builds");
        assertThat(decode(node).builds()).as("builds left out: none").isEmpty();
    }

    @Test
    void aStoppingWorkerMayStillNameTheBuildsItLetsFinish() throws Exception {
        ObjectNode node = golden();
        node.put("state", "STOPPING");
        assertThat(decode(node).builds()).hasSize(1);
        node.putArray("builds");
        assertThat(decode(node).builds()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "worker 1", "worker/1", "wörker", "a\nb", "<script>"})
    void anInstanceIdOutsideTheCharsetIsRefused(String id) throws Exception {
        ObjectNode node = golden();
        node.put("instanceId", id);
        assertThatThrownBy(() -> decode(node)).isInstanceOf(InvalidEventException.class).hasMessageContaining("instance id");
    }

    @Test
    void anInstanceIdIsBoundedInLength() throws Exception {
        ObjectNode node = golden();
        node.put("instanceId", "w".repeat(WorkerBeat.MAX_INSTANCE_ID));
        assertThat(decode(node).instanceId()).hasSize(WorkerBeat.MAX_INSTANCE_ID);
        node.put("instanceId", "w".repeat(WorkerBeat.MAX_INSTANCE_ID + 1));
        assertThatThrownBy(() -> decode(node)).isInstanceOf(InvalidEventException.class).hasMessageContaining("limit");
    }

    @Test
    void everyOtherRuleIsHeldOnDecode() throws Exception {
        assertRefused(n -> n.put("arch", "linux/arm64"), "arch");
        assertRefused(n -> n.put("arch", "m68k"), "arch");
        assertRefused(n -> n.remove("arch"), "arch");
        assertRefused(n -> n.put("state", "DANCING"), "state");
        assertRefused(n -> n.put("schemaVersion", 0), "schemaVersion");
        assertRefused(n -> n.remove("at"), "at");
        assertRefused(n -> n.put("intervalMillis", 0), "intervalMillis");
        assertRefused(n -> n.put("intervalMillis", Duration.ofHours(1).toMillis()), "intervalMillis");
        assertRefused(n -> n.put("state", "IDLE"), "IDLE");
        assertRefused(n -> n.putArray("builds"), "BUILDING");
        assertRefused(n -> ((ObjectNode) n.withArray("builds").get(0)).put("image", "not an image"), "image");
        assertRefused(n -> ((ObjectNode) n.withArray("builds").get(0)).put("image", "ghcr.io/a/b:" + "t".repeat(600)), "longer");
        assertRefused(n -> ((ObjectNode) n.withArray("builds").get(0)).remove("since"), "since");
        assertRefused(n -> {
            ArrayNode builds = n.withArray("builds");
            for (int i = 0; i < WorkerBeat.MAX_BUILDS; i++) {
                builds.add(builds.get(0).deepCopy());
            }
        }, "builds");
    }

    interface Edit {
        void apply(ObjectNode node);
    }

    static void assertRefused(Edit edit, String mentioning) throws Exception {
        ObjectNode node = golden();
        edit.apply(node);
        assertThatThrownBy(() -> decode(node)).as(node.toString())
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("WorkerBeat").hasMessageContaining(mentioning);
    }

    @Test
    void theIntervalRuleIsTheOneTheWorkerChecksItsConfigurationWith() {
        assertThat(WorkerBeat.requireInterval(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> WorkerBeat.requireInterval(Duration.ofMillis(100))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkerBeat.requireInterval(Duration.ofMinutes(6))).isInstanceOf(IllegalArgumentException.class);
        assertThat(WorkerBeat.requireInstanceId("3f2c1a0b9e8d")).isEqualTo("3f2c1a0b9e8d");
    }
}
