package io.imagefarm.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryTest {

    static final String DIGEST = "sha256:" + "b".repeat(64);

    @Test
    void parsesRegistryHostWithPortAndNestedPath() {
        Repository repo = Repository.parse("127.0.0.1:5000/acme/tools/widget");

        assertThat(repo.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(repo.path()).isEqualTo("acme/tools/widget");
        assertThat(repo).hasToString("127.0.0.1:5000/acme/tools/widget").isEqualTo(Repository.of("127.0.0.1:5000", "acme/tools/widget"));
        assertThat(Repository.parse("localhost/a").registry()).isEqualTo("localhost");
        assertThat(Repository.parse("[::1]:5000/a").registry()).isEqualTo("[::1]:5000");
    }

    @Test
    void tagAndDigestNameImagesInIt() {
        Repository repo = Repository.parse("ghcr.io/acme/widget");

        assertThat(repo.tag("builder-x")).isEqualTo(ImageRef.parse("ghcr.io/acme/widget:builder-x"));
        assertThat(repo.digest(DIGEST)).isEqualTo(ImageRef.parse("ghcr.io/acme/widget@" + DIGEST));
        assertThat(repo.digest(DIGEST).tag()).isNull();
        assertThat(repo.tag("x").repo()).isEqualTo(repo);
        assertThatThrownBy(() -> repo.tag("-x")).isInstanceOf(InvalidReferenceException.class);
        assertThatThrownBy(() -> repo.digest("sha256:abc")).isInstanceOf(InvalidReferenceException.class);
    }

    @Test
    void scopeNamesThePathAndTheActionsAsTheTokenSpecWritesThem() {
        Repository repo = Repository.parse("ghcr.io/acme/widget");

        assertThat(repo.scope("pull")).isEqualTo("repository:acme/widget:pull");
        assertThat(repo.scope("pull", "push")).isEqualTo("repository:acme/widget:pull,push");
        assertThat(repo.scope("delete")).isEqualTo("repository:acme/widget:delete");
        assertThatThrownBy(repo::scope).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repo.scope("pull push")).hasMessageContaining("pull push");
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme/widget", "ghcr.io", "ghcr.io/", "ghcr.io/Acme/widget", "ghcr.io/acme//widget", "ghcr.io/acme/wid get"})
    void invalidRepositoriesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> Repository.parse(text))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining(text);
    }

    @Test
    void aMissingRegistryHostIsNamedAsSuch() {
        assertThatThrownBy(() -> Repository.parse("acme/widget")).hasMessageContaining("must start with a registry host");
        assertThatThrownBy(() -> Repository.parse("")).hasMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ghcr.io/acme/widget:v1", "ghcr.io/acme/widget@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "127.0.0.1:5000/acme/widget:v1"})
    void aTagOrDigestIsRefused(String text) {
        assertThatThrownBy(() -> Repository.parse(text))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("no tag or digest")
                .hasMessageContaining(text);
    }

    @Test
    void theNameLengthLimitHoldsForRepositoriesAsForImages() {
        assertThatThrownBy(() -> Repository.of("ghcr.io", "a/" + "b".repeat(250)))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("limit is 255");
    }
}
