package io.imagefarm.hasher.resolve;

import static io.imagefarm.hasher.resolve.IndexAssemblerTest.attestation;
import static io.imagefarm.hasher.resolve.IndexAssemblerTest.digest;
import static io.imagefarm.hasher.resolve.IndexAssemblerTest.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.registry.FetchedManifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a per-arch tag may put into the index CI pins: checked entry by entry. */
class ArchImageTest {

    static final ImageRef TAG = ImageRef.parse("127.0.0.1:5000/acme/widget:builder-0123456789abcdef-arm64");

    static ArchImage read(Manifest index) {
        byte[] body = index.toJson();
        String digest = IndexAssemblerTest.sha256(body);
        return ArchImage.of(TAG, Arch.ARM64, new ManifestHead(digest, MediaTypes.OCI_INDEX, body.length),
                () -> Optional.of(new FetchedManifest(digest, MediaTypes.OCI_INDEX, body, index)));
    }

    @Test
    void aProvenanceIndexGivesItsImageWithThePlatformAndItsAttestationWithBuildxsAnnotationsOnly() {
        Descriptor arm = new Descriptor(MediaTypes.OCI_MANIFEST, digest('a'), 700,
                new Descriptor.Platform("arm64", "linux", "v8"), Map.of("injected", "x"));
        ArchImage read = read(Manifest.index(List.of(arm, attestation('b', digest('a'))), null));

        assertThat(read.image()).isEqualTo(new Descriptor(MediaTypes.OCI_MANIFEST, digest('a'), 700,
                new Descriptor.Platform("arm64", "linux", "v8"), null));
        assertThat(read.attestation().annotations()).containsOnly(
                Map.entry(Manifests.REFERENCE_TYPE_ANNOTATION, Manifests.ATTESTATION_MANIFEST),
                Map.entry(Manifests.REFERENCE_DIGEST_ANNOTATION, digest('a')));
        assertThat(read.entries()).extracting(Descriptor::digest).containsExactly(digest('a'), digest('b'));
    }

    @Test
    void aPerArchIndexWithoutAnAttestationGivesItsImageAlone() {
        assertThat(read(Manifest.index(List.of(image('a', Arch.ARM64)), null)).entries()).singleElement()
                .extracting(Descriptor::digest).isEqualTo(digest('a'));
    }

    @Test
    void aPlainManifestIsTakenAsItIsWithoutBeingRead() {
        ArchImage read = ArchImage.of(TAG, Arch.ARM64, new ManifestHead(digest('a'), MediaTypes.DOCKER_MANIFEST, 900),
                () -> { throw new AssertionError("a manifest needs no GET"); });
        assertThat(read.image()).isEqualTo(new Descriptor(MediaTypes.DOCKER_MANIFEST, digest('a'), 900,
                new Descriptor.Platform("arm64", "linux", null), null));
        assertThat(read.attestation()).isNull();
    }

    @Test
    void aNestedIndexIsRefused() {
        Descriptor nested = new Descriptor(MediaTypes.OCI_INDEX, digest('7'), 400, new Descriptor.Platform("arm64", "linux", null), null);
        assertThatThrownBy(() -> read(Manifest.index(List.of(nested), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("image manifests only");
    }

    @Test
    void anImageOfAnotherPlatformOrTwoImagesAreRefused() {
        assertThatThrownBy(() -> read(Manifest.index(List.of(image('a', Arch.AMD64), attestation('b', digest('a'))), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("not linux/arm64");
        assertThatThrownBy(() -> read(Manifest.index(List.of(image('a', Arch.ARM64), image('c', Arch.ARM64)), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("2 image manifests");
        assertThatThrownBy(() -> read(Manifest.index(List.of(attestation('b', digest('a'))), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("0 image manifests");
    }

    @Test
    void anAttestationOfAnotherImageOrOfAKnownPlatformIsRefused() {
        assertThatThrownBy(() -> read(Manifest.index(List.of(image('a', Arch.ARM64), attestation('b', digest('e'))), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("attests " + digest('e'));
        Descriptor platformed = new Descriptor(MediaTypes.OCI_MANIFEST, digest('b'), 566,
                new Descriptor.Platform("arm64", "linux", null), attestation('b', digest('a')).annotations());
        assertThatThrownBy(() -> read(Manifest.index(List.of(image('a', Arch.ARM64), platformed), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("not unknown/unknown");
        assertThatThrownBy(() -> read(Manifest.index(List.of(image('a', Arch.ARM64), attestation('b', digest('a')),
                attestation('c', digest('a'))), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("2 attestation manifests");
    }

    @Test
    void malformedDigestsSizesAndTooManyEntriesAreRefused() {
        Descriptor badDigest = new Descriptor(MediaTypes.OCI_MANIFEST, "sha256:../../x", 700,
                new Descriptor.Platform("arm64", "linux", null), null);
        assertThatThrownBy(() -> read(Manifest.index(List.of(badDigest), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("invalid digest");
        Descriptor huge = new Descriptor(MediaTypes.OCI_MANIFEST, digest('a'), ArchImage.MAX_MANIFEST_BYTES + 1,
                new Descriptor.Platform("arm64", "linux", null), null);
        assertThatThrownBy(() -> read(Manifest.index(List.of(huge), null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("bytes");
        List<Descriptor> many = new ArrayList<>(Collections.nCopies(ArchImage.MAX_ENTRIES, attestation('b', digest('a'))));
        many.add(image('a', Arch.ARM64));
        assertThatThrownBy(() -> read(Manifest.index(many, null)))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("entries");
    }

    @Test
    void anIndexLargerThanTheBoundIsNotReadAndOneThatMovedBetweenHeadAndGetIsRefused() {
        assertThatThrownBy(() -> ArchImage.of(TAG, Arch.ARM64,
                new ManifestHead(digest('8'), MediaTypes.OCI_INDEX, ArchImage.MAX_INDEX_BYTES + 1),
                () -> { throw new AssertionError("an oversized index is never fetched"); }))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("bytes");
        Manifest index = Manifest.index(List.of(image('a', Arch.ARM64)), null);
        byte[] body = index.toJson();
        assertThatThrownBy(() -> ArchImage.of(TAG, Arch.ARM64, new ManifestHead(digest('8'), MediaTypes.OCI_INDEX, body.length),
                () -> Optional.of(new FetchedManifest(IndexAssemblerTest.sha256(body), MediaTypes.OCI_INDEX, body, index))))
                .isInstanceOf(InvalidArchImageException.class).hasMessageContaining("moved");
    }
}
