package io.imagefarm.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.hash.VersionInputs;
import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Pins the JSON form of each event: a renamed field or a changed format fails here, not in production. */
class EventGoldenFilesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode golden(String name) throws Exception {
        try (InputStream in = EventGoldenFilesTest.class.getResourceAsStream("/events/" + name)) {
            return JSON.readTree(in);
        }
    }

    static ImageRequired sampleEvent() {
        return new ImageRequired(1, "6f1c2a8e-4b7d-4f0e-9a51-2d3c4b5a6f70", "acme/widget",
                "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", "https://github.com/acme/widget.git", "5ea78654994769b1",
                new VersionInputs("1.83.0", "22.11.0", "9.15.0", "3.12.7", "0.5.11", "41c0d7d436b3c724"),
                "ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", "ghcr.io/acme/widget:buildcache-arm64",
                "linux/arm64", ".devcontainer/Dockerfile", ".", Instant.parse("2026-11-28T12:00:00Z"));
    }

    @Test
    void imageRequiredEncodesExactlyAsTheGoldenFileAndDecodesBack() throws Exception {
        JsonNode golden = golden("image-required.v1.json");

        assertThat(JSON.readTree(EventCodec.encode(sampleEvent()))).isEqualTo(golden);
        assertThat(EventCodec.decode(JSON.writeValueAsBytes(golden), ImageRequired.class)).isEqualTo(sampleEvent());
    }

    @Test
    void builtStatusEncodesExactlyAsTheGoldenFileAndDecodesBack() throws Exception {
        ImageRequired event = sampleEvent();
        ImageStatus built = ImageStatus.built(event, event.commit(), event.inputs(), "sha256:" + "1".repeat(64),
                new ImageStatus.BuildTimings(120, 45000, 3000), 4, 5, Instant.parse("2026-11-28T12:01:00Z"));
        JsonNode golden = golden("image-status-built.v1.json");

        assertThat(JSON.readTree(EventCodec.encode(built))).isEqualTo(golden);
        assertThat(EventCodec.decode(JSON.writeValueAsBytes(golden), ImageStatus.class)).isEqualTo(built);
    }

    @Test
    void builtStatusRecordsTheVerifiedCommitAndInputs() {
        ImageStatus built = ImageStatus.built(sampleEvent(), "sha256:" + "1".repeat(64),
                new ImageStatus.BuildTimings(120, 45000, 3000), 4, 5, Instant.parse("2026-11-28T12:01:00Z"));

        assertThat(built.commit()).isEqualTo(sampleEvent().commit());
        assertThat(built.inputs()).isEqualTo(sampleEvent().inputs());
    }

    @Test
    void inputsMismatchFailureEncodesExactlyAsTheGoldenFileAndDecodesBack() throws Exception {
        ImageStatus failed = ImageStatus.failed(sampleEvent(), FailureKind.INPUTS_MISMATCH,
                "version hash: the event claims 5ea78654994769b1, the files at 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
                        + " hash to 0123456789abcdef", "", Instant.parse("2026-11-28T12:01:00Z"));
        JsonNode golden = golden("image-status-failed.v1.json");

        assertThat(JSON.readTree(EventCodec.encode(failed))).isEqualTo(golden);
        assertThat(EventCodec.decode(JSON.writeValueAsBytes(golden), ImageStatus.class)).isEqualTo(failed);
        assertThat(FailureKind.INPUTS_MISMATCH.isTransient()).isFalse();
    }

    @Test
    void aRetryQueuedStatusIsRequestedAgainWithTheFailureAndWhenTheRetryIsDue() {
        ImageStatus queued = ImageStatus.retryQueued(sampleEvent(), 3, FailureKind.REGISTRY_UNAVAILABLE,
                "connection refused", Instant.parse("2026-11-28T12:01:10Z"), Instant.parse("2026-11-28T12:01:00Z"));

        assertThat(queued.state()).isEqualTo(BuildState.REQUESTED);
        assertThat(queued.state().inFlight()).isTrue();
        assertThat(queued.image()).isEqualTo(sampleEvent().image());
        assertThat(queued.requestEventId()).isEqualTo(sampleEvent().eventId());
        assertThat(queued.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(queued.reason()).isEqualTo(
                "retry 3 after REGISTRY_UNAVAILABLE: connection refused; not before 2026-11-28T12:01:10Z");
        assertThat(EventCodec.decode(EventCodec.encode(queued), ImageStatus.class)).isEqualTo(queued);
        assertThat(StatusTransitions.allowed(queued, ImageStatus.building(sampleEvent(), Instant.now())))
                .as("the retry's BUILDING follows the worker's REQUESTED").isTrue();
    }

    @Test
    void statusesWrittenWithoutCommitAndInputsLeaveThemOutOfTheJson() throws Exception {
        ImageStatus exists = new ImageStatus(1, "ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", "acme/widget",
                "5ea78654994769b1", "arm64", BuildState.EXISTS, "sha256:" + "2".repeat(64), null, null, null, null,
                null, null, null, null, Instant.parse("2026-11-28T12:01:00Z"));

        JsonNode json = JSON.readTree(EventCodec.encode(exists));
        assertThat(json.has("commit")).isFalse();
        assertThat(json.has("inputs")).isFalse();
        assertThat(EventCodec.decode(EventCodec.encode(exists), ImageStatus.class)).isEqualTo(exists);
    }

    @Test
    void unknownFieldsFromNewerProducersAreIgnored() throws Exception {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) golden("image-required.v1.json");
        node.put("addedInV2", "whatever");

        assertThat(EventCodec.decode(JSON.writeValueAsBytes(node), ImageRequired.class)).isEqualTo(sampleEvent());
    }

    @Test
    void undecodableRecordsFailWithAClearReason() {
        assertThatThrownBy(() -> EventCodec.decode("{\"schemaVersion\":1}", ImageRequired.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("ImageRequired");
        assertThatThrownBy(() -> EventCodec.decode("not json", ImageRequired.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("cannot decode");
        assertThatThrownBy(() -> EventCodec.decode((byte[]) null, ImageRequired.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("empty");
    }

    @Test
    void aFailureKindFromANewerWorkerReadsAsNullButAnUnknownStateIsRefused() throws Exception {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) golden("image-status-failed.v1.json");
        node.put("failure", "KIND_ADDED_IN_V2");
        ImageStatus status = EventCodec.decode(JSON.writeValueAsBytes(node), ImageStatus.class);
        assertThat(status.failure()).isNull();
        assertThat(status.state()).isEqualTo(BuildState.FAILED);

        node.put("state", "STATE_ADDED_IN_V2");
        assertThatThrownBy(() -> EventCodec.decode(JSON.writeValueAsBytes(node), ImageStatus.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("state");
    }
}
