package io.imagefarm.janitor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ManagedTagTest {

    @Test
    void onlyTheFourBuilderAndCacheShapesAreManaged() {
        assertThat(ManagedTag.parse("builder-5ea78654994769b1")).hasValueSatisfying(t -> {
            assertThat(t.kind()).isEqualTo(ManagedTag.Kind.BUILDER_INDEX);
            assertThat(t.hash()).isEqualTo("5ea78654994769b1");
        });
        assertThat(ManagedTag.parse("builder-5ea78654994769b1-arm64")).hasValueSatisfying(t -> {
            assertThat(t.kind()).isEqualTo(ManagedTag.Kind.BUILDER_ARCH);
            assertThat(t.arch()).isEqualTo("arm64");
        });
        assertThat(ManagedTag.parse("buildcache")).hasValueSatisfying(t -> assertThat(t.kind()).isEqualTo(ManagedTag.Kind.LEGACY_CACHE));
        assertThat(ManagedTag.parse("buildcache-amd64")).hasValueSatisfying(t -> assertThat(t.arch()).isEqualTo("amd64"));

        assertThat(ManagedTag.isManaged("builder-5EA78654994769B1")).isFalse();
        assertThat(ManagedTag.isManaged("builder-5ea78654994769b")).isFalse();
        assertThat(ManagedTag.isManaged("builder-5ea78654994769b1-mips")).isFalse();
        assertThat(ManagedTag.isManaged("builder-5ea78654994769b1-amd64-debug")).isFalse();
        assertThat(ManagedTag.isManaged("buildcache-amd64-old")).isFalse();
        assertThat(ManagedTag.isManaged("latest")).isFalse();
    }

    @Test
    void aCosignSignatureTagIsManagedAndNamesTheDigestItSigns() {
        String hex = "4f".repeat(32);
        assertThat(ManagedTag.parse("sha256-" + hex + ".sig")).hasValueSatisfying(t -> {
            assertThat(t.kind()).isEqualTo(ManagedTag.Kind.SIGNATURE);
            assertThat(t.signedDigest()).isEqualTo("sha256:" + hex);
            assertThat(t.isBuilder()).isFalse();
        });
        assertThat(ManagedTag.signatureTag("sha256:" + hex)).isEqualTo("sha256-" + hex + ".sig");

        assertThat(ManagedTag.isManaged("sha256-" + hex.toUpperCase(java.util.Locale.ROOT) + ".sig")).isFalse();
        assertThat(ManagedTag.isManaged("sha256-" + hex + ".att")).isFalse();
        assertThat(ManagedTag.isManaged("sha256-" + hex.substring(2) + ".sig")).isFalse();
        assertThat(ManagedTag.isManaged("sha512-" + hex + hex + ".sig")).isFalse();
        assertThat(ManagedTag.isManaged("sha256-" + hex + ".sig.old")).isFalse();
    }
}
