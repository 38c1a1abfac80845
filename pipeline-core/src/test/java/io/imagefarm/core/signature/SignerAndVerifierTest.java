package io.imagefarm.core.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.core.signature.ImageVerifier.Provenance;
import io.imagefarm.core.signature.ImageVerifier.VerifiedImage;
import io.imagefarm.core.signature.VerificationFailedException.Check;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SignerAndVerifierTest {

    static final SignatureClaims CLAIMS = new SignatureClaims("acme/widget", "c0ffee", "5ea78654994769b1");

    SignedIndexFixture fx;
    TestKeys.PemPair keys;
    Signer signer;
    Descriptor amd64;
    Descriptor arm64;
    String index;

    @BeforeEach
    void setUp() {
        fx = new SignedIndexFixture();
        keys = TestKeys.p256();
        signer = new Signer(SigningKey.fromPem(keys.privatePem(), "signing.key"), fx.registry);
        amd64 = fx.addPlatform("amd64", null);
        arm64 = fx.addPlatform("arm64", null);
        index = fx.pushIndex("builder-5ea78654994769b1");
    }

    ImageVerifier verifier(String publicPem) {
        return new ImageVerifier(VerificationKey.fromPem(publicPem, "signing.pub"), fx.registry);
    }

    VerifiedImage verify(ExpectedClaims expected) throws VerificationFailedException {
        return verifier(keys.publicPem()).verify(fx.repository.digest(index), expected, Provenance.REQUIRED);
    }

    Check failure(ThrowingCheck check) {
        try {
            check.run();
        } catch (VerificationFailedException e) {
            return e.check();
        }
        throw new AssertionError("verification passed");
    }

    interface ThrowingCheck {
        void run() throws VerificationFailedException;
    }

    @Test
    void aSignedIndexVerifiesWithItsClaimsSignaturesAndProvenance() throws Exception {
        List<ImageRef> tags = signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);

        VerifiedImage verified = verify(ExpectedClaims.of(CLAIMS));

        assertThat(tags).extracting(ImageRef::tag).containsExactly(SignatureFormat.signatureTag(index),
                SignatureFormat.signatureTag(amd64.digest()), SignatureFormat.signatureTag(arm64.digest()));
        assertThat(verified.signatures()).extracting(s -> s.payload().manifestDigest())
                .containsExactly(index, amd64.digest(), arm64.digest());
        assertThat(verified.platforms()).containsExactly(Map.entry(amd64.digest(), "linux/amd64"),
                Map.entry(arm64.digest(), "linux/arm64"));
        assertThat(verified.provenance()).extracting(ImageVerifier.VerifiedProvenance::manifestDigest)
                .containsExactly(amd64.digest(), arm64.digest());
    }

    @Test
    void theSignatureManifestIsCosignsLayout() {
        ImageRef tag = signer.sign(fx.repository, index, CLAIMS);

        Manifest manifest = Manifest.parse(fx.registry.manifestBytes(tag), null);
        assertThat(manifest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(manifest.config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(manifest.layers()).singleElement().satisfies(layer -> {
            assertThat(layer.mediaType()).isEqualTo(SignatureFormat.PAYLOAD_MEDIA_TYPE);
            assertThat(layer.annotations()).containsKey(SignatureFormat.SIGNATURE_ANNOTATION);
            assertThat(SimpleSigningPayload.parse(fx.registry.blob(fx.repository, layer.digest())).manifestDigest())
                    .isEqualTo(index);
        });
        assertThat(new String(fx.registry.blob(fx.repository, manifest.config().digest()), StandardCharsets.UTF_8))
                .contains("\"diff_ids\":[\"" + manifest.layers().get(0).digest() + "\"]");
    }

    @Test
    void signingTheSameDigestTwiceKeepsOneVerifyingLayerAndAnotherCommitAddsOne() throws Exception {
        ImageRef tag = signer.sign(fx.repository, index, CLAIMS);
        new Signer(SigningKey.fromPem(keys.privatePem(), "replica-2"), fx.registry).sign(fx.repository, index, CLAIMS);

        assertThat(Manifest.parse(fx.registry.manifestBytes(tag), null).layers()).hasSize(1);

        SignatureClaims otherCommit = new SignatureClaims("acme/widget", "beef", CLAIMS.versionHash());
        signer.sign(fx.repository, index, otherCommit);
        SignatureVerifier signatures = new SignatureVerifier(VerificationKey.fromPem(keys.publicPem(), "pub"), fx.registry);

        assertThat(Manifest.parse(fx.registry.manifestBytes(tag), null).layers()).hasSize(2);
        assertThat(signatures.verify(fx.repository, index, ExpectedClaims.none().withCommit("c0ffee")).payload().commit())
                .isEqualTo("c0ffee");
        assertThat(signatures.verify(fx.repository, index, ExpectedClaims.none().withCommit("beef")).payload().commit())
                .isEqualTo("beef");
    }

    @Test
    void anotherKeyFailsAsBadSignature() {
        signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);

        assertThatThrownBy(() -> verifier(TestKeys.p256().publicPem())
                .verify(fx.repository.digest(index), ExpectedClaims.none(), Provenance.REQUIRED))
                .isInstanceOf(VerificationFailedException.class)
                .hasMessageContaining("bad-signature")
                .hasMessageContaining("does not verify with signing.pub");
    }

    @Test
    void aSignatureCopiedFromAnotherDigestFailsAsWrongDigest() {
        signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);
        byte[] amdSignature = fx.registry.manifestBytes(fx.repository.tag(SignatureFormat.signatureTag(amd64.digest())));
        fx.registry.putManifest(fx.repository.tag(SignatureFormat.signatureTag(arm64.digest())), MediaTypes.OCI_MANIFEST, amdSignature);

        assertThat(failure(() -> verify(ExpectedClaims.none()))).isEqualTo(Check.WRONG_DIGEST);
    }

    @Test
    void aTamperedPayloadFailsAsBadSignature() {
        ImageRef tag = signer.sign(fx.repository, index, CLAIMS);
        Manifest signed = Manifest.parse(fx.registry.manifestBytes(tag), null);
        Descriptor layer = signed.layers().get(0);
        byte[] tampered = new String(fx.registry.blob(fx.repository, layer.digest()), StandardCharsets.UTF_8)
                .replace("c0ffee", "beef00").getBytes(StandardCharsets.UTF_8);
        Descriptor forged = new Descriptor(layer.mediaType(), fx.registry.pushBlob(fx.repository, tampered), tampered.length,
                null, layer.annotations());
        fx.registry.putManifest(tag, MediaTypes.OCI_MANIFEST, new SignatureManifest(List.of(forged)).manifestJson());

        SignatureVerifier signatures = new SignatureVerifier(VerificationKey.fromPem(keys.publicPem(), "pub"), fx.registry);
        assertThat(failure(() -> signatures.verify(fx.repository, index, ExpectedClaims.none()))).isEqualTo(Check.BAD_SIGNATURE);
    }

    @Test
    void aMissingSignatureFailsAndNamesTheTag() {
        signer.sign(fx.repository, index, CLAIMS);
        signer.sign(fx.repository, amd64.digest(), CLAIMS);

        assertThatThrownBy(() -> verify(ExpectedClaims.none()))
                .isInstanceOfSatisfying(VerificationFailedException.class, e -> {
                    assertThat(e.check()).isEqualTo(Check.MISSING_SIGNATURE);
                    assertThat(e.digest()).isEqualTo(arm64.digest());
                })
                .hasMessageContaining(SignatureFormat.signatureTag(arm64.digest()) + " does not exist");
    }

    @Test
    void claimsThatDoNotMatchFailByName() {
        signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);

        assertThat(failure(() -> verify(ExpectedClaims.none().withRepository("acme/other")))).isEqualTo(Check.WRONG_REPOSITORY);
        assertThat(failure(() -> verify(ExpectedClaims.none().withCommit("deadbeef")))).isEqualTo(Check.WRONG_COMMIT);
        assertThat(failure(() -> verify(ExpectedClaims.none().withVersionHash("0000000000000000"))))
                .isEqualTo(Check.WRONG_VERSION_HASH);
    }

    @Test
    void aTagThatNoLongerPointsAtTheDigestFails() throws Exception {
        signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);
        ImageRef pinned = new ImageRef(fx.repository.registry(), fx.repository.path(), "builder-5ea78654994769b1", index);
        verifier(keys.publicPem()).verify(pinned, ExpectedClaims.none(), Provenance.REQUIRED);

        fx.registry.putManifest(fx.repository.tag("builder-5ea78654994769b1"), MediaTypes.OCI_MANIFEST,
                fx.registry.manifestBytes(fx.repository.digest(amd64.digest())));

        assertThat(failure(() -> verifier(keys.publicPem()).verify(pinned, ExpectedClaims.none(), Provenance.REQUIRED)))
                .isEqualTo(Check.TAG_MOVED);
    }

    @Test
    void provenanceNamingAnotherSubjectFails() {
        SignedIndexFixture other = new SignedIndexFixture();
        other.addPlatform("amd64", "sha256:" + "0".repeat(64));
        String otherIndex = other.pushIndex("builder-x");
        new Signer(SigningKey.fromPem(keys.privatePem(), "k"), other.registry)
                .signIndex(other.repository, otherIndex, other.index(otherIndex), CLAIMS);

        assertThatThrownBy(() -> new ImageVerifier(VerificationKey.fromPem(keys.publicPem(), "pub"), other.registry)
                .verify(other.repository.digest(otherIndex), ExpectedClaims.none(), Provenance.REQUIRED))
                .isInstanceOfSatisfying(VerificationFailedException.class,
                        e -> assertThat(e.check()).isEqualTo(Check.WRONG_PROVENANCE_SUBJECT))
                .hasMessageContaining("names subject sha256:" + "0".repeat(64));
    }

    @Test
    void anIndexWithoutAttestationsFailsUnlessProvenanceIsNotChecked() throws Exception {
        SignedIndexFixture plain = new SignedIndexFixture();
        plain.addPlatform("amd64", "none");
        String plainIndex = plain.pushIndex("builder-y");
        new Signer(SigningKey.fromPem(keys.privatePem(), "k"), plain.registry)
                .signIndex(plain.repository, plainIndex, plain.index(plainIndex), CLAIMS);
        ImageVerifier verifier = new ImageVerifier(VerificationKey.fromPem(keys.publicPem(), "pub"), plain.registry);

        assertThatThrownBy(() -> verifier.verify(plain.repository.digest(plainIndex), ExpectedClaims.none(), Provenance.REQUIRED))
                .hasMessageContaining("missing-provenance").hasMessageContaining("holds no attestation manifests");
        assertThat(verifier.verify(plain.repository.digest(plainIndex), ExpectedClaims.none(), Provenance.NOT_CHECKED)
                .signatures()).hasSize(2);
    }

    @Test
    void aPlatformWithoutItsAttestationFails() {
        fx = new SignedIndexFixture();
        fx.addPlatform("amd64", null);
        Descriptor bare = fx.addPlatform("arm64", "none");
        index = fx.pushIndex("builder-z");
        signer = new Signer(SigningKey.fromPem(keys.privatePem(), "k"), fx.registry);
        signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);

        assertThatThrownBy(() -> verify(ExpectedClaims.none()))
                .hasMessageContaining("missing-provenance").hasMessageContaining("linux/arm64 manifest " + bare.digest());
    }

    @Test
    void anIndexWithMoreEntriesThanTheBoundIsRefusedBeforeItsChildrenAreRead() {
        SignedIndexFixture big = new SignedIndexFixture();
        for (int i = 0; i <= ImageVerifier.MAX_INDEX_ENTRIES; i++) {
            big.addPlatform("arch" + i, "none");
        }
        String bigIndex = big.pushIndex("builder-big");
        new Signer(SigningKey.fromPem(keys.privatePem(), "k"), big.registry).sign(big.repository, bigIndex, CLAIMS);

        assertThatThrownBy(() -> new ImageVerifier(VerificationKey.fromPem(keys.publicPem(), "pub"), big.registry)
                .verify(big.repository.digest(bigIndex), ExpectedClaims.none(), Provenance.NOT_CHECKED))
                .isInstanceOfSatisfying(VerificationFailedException.class,
                        e -> assertThat(e.check()).isEqualTo(Check.INDEX_TOO_LARGE));
    }

    @Test
    void attestationManifestsAreNotSignedOnTheirOwn() {
        List<ImageRef> tags = signer.signIndex(fx.repository, index, fx.index(index), CLAIMS);

        assertThat(tags).hasSize(3);
        assertThat(fx.attestations).allSatisfy(a -> assertThat(tags).extracting(ImageRef::tag)
                .doesNotContain(SignatureFormat.signatureTag(a.digest())));
    }
}
