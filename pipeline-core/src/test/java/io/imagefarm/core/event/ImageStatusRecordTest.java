package io.imagefarm.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The status topic's one rule set, used by every reader (the hasher's book, the janitor's usage). */
class ImageStatusRecordTest {

    static final String IMAGE = "127.0.0.1:5000/acme/widget:builder-0123456789abcdef-amd64";

    static byte[] json(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWellFormedRecordIsRead() {
        ImageStatus s = ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + IMAGE + "\","
                + "\"versionHash\":\"0123456789abcdef\",\"arch\":\"amd64\",\"state\":\"BUILT\",\"updatedAt\":\"2026-12-05T10:00:00Z\"}"));
        assertThat(s.image()).isEqualTo(IMAGE);
        assertThat(s.state()).isEqualTo(BuildState.BUILT);
    }

    @Test
    void aRecordMissingARequiredFieldIsAnInvalidEventNotANullPointer() {
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"state\":\"BUILT\","
                + "\"updatedAt\":\"2026-12-05T10:00:00Z\"}"))).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + IMAGE + "\","
                + "\"updatedAt\":\"2026-12-05T10:00:00Z\"}"))).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> ImageStatus.fromRecord((byte[]) null)).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("null"))).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void aRecordWhoseImageRefOrVersionHashIsNotOneIsRefused() {
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"not a ref!\","
                + "\"state\":\"BUILT\",\"updatedAt\":\"2026-12-05T10:00:00Z\"}")))
                .isInstanceOf(InvalidEventException.class).hasMessageStartingWith("ImageStatus");
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + IMAGE + "\","
                + "\"versionHash\":\"../../etc\",\"state\":\"BUILT\",\"updatedAt\":\"2026-12-05T10:00:00Z\"}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("invalid version hash");
    }

    static final String INDEX = "127.0.0.1:5000/acme/widget:builder-0123456789abcdef";
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);

    @Test
    void anAssembledIndexRecordCarriesEachPlatformsImageAndAttestationDigest() {
        ImageStatus s = ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + INDEX + "\",\"state\":\"BUILT\","
                + "\"updatedAt\":\"2026-12-05T10:00:00Z\",\"platforms\":{\"arm64\":{\"image\":\"" + A + "\"},"
                + "\"amd64\":{\"image\":\"" + A + "\",\"attestation\":\"" + B + "\"}}}"));

        assertThat(s.platforms()).containsExactly(
                java.util.Map.entry("amd64", new ImageStatus.PlatformDigests(A, B)),
                java.util.Map.entry("arm64", new ImageStatus.PlatformDigests(A, null)));
        assertThat(ImageStatus.fromRecord(EventCodec.encode(s))).isEqualTo(s);
    }

    @Test
    void platformsOfAnUnknownArchOrWithAMalformedDigestAreRefused() {
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + INDEX + "\","
                + "\"state\":\"BUILT\",\"updatedAt\":\"2026-12-05T10:00:00Z\",\"platforms\":{\"mips\":{\"image\":\"" + A + "\"}}}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("platforms");
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + INDEX + "\","
                + "\"state\":\"BUILT\",\"updatedAt\":\"2026-12-05T10:00:00Z\",\"platforms\":{\"amd64\":{\"image\":\"sha256:x\"}}}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("invalid digest");
        assertThatThrownBy(() -> ImageStatus.fromRecord(json("{\"schemaVersion\":1,\"image\":\"" + INDEX + "\","
                + "\"state\":\"BUILT\",\"updatedAt\":\"2026-12-05T10:00:00Z\",\"platforms\":{\"amd64\":{\"image\":\"" + A
                + "\",\"attestation\":\"md5:1\"}}}"))).isInstanceOf(InvalidEventException.class);
    }
}
