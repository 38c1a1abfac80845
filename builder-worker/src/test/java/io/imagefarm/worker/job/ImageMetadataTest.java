package io.imagefarm.worker.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.worker.context.InvalidContextException;
import io.imagefarm.worker.context.SourcePolicy;
import io.imagefarm.worker.verify.VerifiedInputs;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageMetadataTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String URL = "https://github.com/acme/widget.git";

    private final SourcePolicy policy = new SourcePolicy(Set.of("https"), List.of("https://github.com/{repository}.git"));

    private static VerifiedInputs verified(String commit) {
        return new VerifiedInputs(commit, new VersionHash("5ea78654994769b1"),
                new VersionInputs("1.83.0", "22.11.0", "9.12.0", "3.12", "0.5.0", "abc"));
    }

    @Test
    void recordsSourceCommitHashAndRepositoryInAFixedOrder() {
        ImageMetadata metadata = ImageMetadata.of(URL, "acme/widget", verified(COMMIT), policy);

        assertThat(metadata.recorded()).containsExactly(
                java.util.Map.entry("org.opencontainers.image.source", URL),
                java.util.Map.entry("org.opencontainers.image.revision", COMMIT),
                java.util.Map.entry("io.imagefarm.version-hash", "5ea78654994769b1"),
                java.util.Map.entry("io.imagefarm.repository", "acme/widget"));
    }

    @Test
    void aSourceUrlWithCredentialsIsRefusedByTheSourceRulesAndNeverShown() {
        assertThatThrownBy(() -> ImageMetadata.of("https://ci:s3cret@github.com/acme/widget.git", "acme/widget",
                verified(COMMIT), policy))
                .isInstanceOfSatisfying(InvalidContextException.class, e -> {
                    assertThat(e.kind()).isEqualTo(FailureKind.INVALID_CONTEXT);
                    assertThat(e.getMessage()).contains("user info").doesNotContain("s3cret");
                });
    }

    @Test
    void aSourceUrlOfAnotherRepositoryIsRefused() {
        assertThatThrownBy(() -> ImageMetadata.of("https://github.com/evil/widget.git", "acme/widget",
                verified(COMMIT), policy)).isInstanceOf(InvalidContextException.class);
    }

    @Test
    void anAbbreviatedOrForeignCommitIsRefused() {
        assertThatThrownBy(() -> ImageMetadata.of(URL, "acme/widget", verified("0123456"), policy))
                .isInstanceOf(InvalidContextException.class).hasMessageContaining("full 40-character");
        assertThatThrownBy(() -> ImageMetadata.of(URL, "acme/widget", verified("--label=x=y" + "0".repeat(29)), policy))
                .isInstanceOf(InvalidContextException.class);
    }

    @Test
    void aRepositoryThatIsNotOwnerSlashNameIsRefused() {
        assertThatThrownBy(() -> ImageMetadata.of(URL, "acme/widget\nx", verified(COMMIT), policy))
                .isInstanceOf(InvalidContextException.class);
    }
}
