package io.imagefarm.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.hash.VersionHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTest {

    static final VersionHash HASH = new VersionHash("5ea78654994769b1");

    @Test
    void coordinatesFollowTheSeedWithPerArchImageAndCacheRefs() {
        ImageCoordinates c = ImageCoordinates.of("ghcr.io", SourceRepository.parse("Acme-Corp/Widget.Tools"), HASH);

        assertThat(c.imageBase()).hasToString("ghcr.io/acme-corp/widget.tools:builder-5ea78654994769b1");
        assertThat(c.cacheBase()).hasToString("ghcr.io/acme-corp/widget.tools:buildcache");
        assertThat(c.image(Arch.AMD64)).hasToString("ghcr.io/acme-corp/widget.tools:builder-5ea78654994769b1-amd64");
        assertThat(c.cache(Arch.ARM64)).hasToString("ghcr.io/acme-corp/widget.tools:buildcache-arm64");
        assertThat(c.index()).isEqualTo(c.imageBase());
    }

    @Test
    void upperCaseOwnerIsLowerCasedLikeBash() {
        assertThat(SourceRepository.parse("MyOrg/MyRepo").imagePath()).isEqualTo("myorg/myrepo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme/.github", "acme/my..repo", "acme/repo-", "acme/_repo", "acme", "acme/a/b", "/repo", "acme/"})
    void repositoriesThatCannotNameAnImageAreRejectedWithTheName(String repository) {
        assertThatThrownBy(() -> SourceRepository.parse(repository))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining(repository.isEmpty() ? "empty" : repository);
    }

    @Test
    void parsesRegistryWithPortRepositoryTagAndDigest() {
        String digest = "sha256:" + "a".repeat(64);
        ImageRef ref = ImageRef.parse("127.0.0.1:5000/acme/widget:builder-x@" + digest);

        assertThat(ref.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(ref.repository()).isEqualTo("acme/widget");
        assertThat(ref.tag()).isEqualTo("builder-x");
        assertThat(ref.digest()).isEqualTo(digest);
        assertThat(ref.reference()).isEqualTo(digest);
        assertThat(ref).hasToString("127.0.0.1:5000/acme/widget:builder-x@" + digest);
    }

    @Test
    void localhostAndIpv6AreRegistries() {
        assertThat(ImageRef.parse("localhost/a:b").registry()).isEqualTo("localhost");
        assertThat(ImageRef.parse("[::1]:5000/a:b").registry()).isEqualTo("[::1]:5000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubuntu:22.04", "ghcr.io/Acme/widget:x", "ghcr.io/acme/widget", "ghcr.io/acme/widget:-x",
            "ghcr.io/acme/widget:.x", "ghcr.io/acme//widget:x", "ghcr.io/acme/widget@sha256:abc", "ghcr.io/acme/wid get:x"})
    void invalidReferencesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> ImageRef.parse(text))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining(text);
    }

    @Test
    void tagLongerThan128CharactersIsRejected() {
        assertThat(OciNames.isValidTag("a".repeat(128))).isTrue();
        assertThat(OciNames.isValidTag("a".repeat(129))).isFalse();
    }

    @Test
    void nameLongerThan255CharactersIsRejected() {
        assertThatThrownBy(() -> ImageRef.ofTag("ghcr.io", "a/" + "b".repeat(250), "t"))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("limit is 255");
    }

    @Test
    void archAcceptsPlatformFormAndRejectsUnknown() {
        assertThat(Arch.parse("linux/ARM64")).isEqualTo(Arch.ARM64);
        assertThat(Arch.AMD64.platform()).isEqualTo("linux/amd64");
        assertThatThrownBy(() -> Arch.parse("sparc")).hasMessageContaining("unknown architecture 'sparc'");
    }
}
