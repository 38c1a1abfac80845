package io.imagefarm.worker.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.testsupport.SampleRepository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verifier's decisions, case by case: plain Java, no fetch, no engine. */
class InputsVerifierTest {

    private static final String REGISTRY = "registry.example.com:5000";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String DOCKERFILE = "FROM base\nRUN echo toolchain\n";
    private static final Map<String, String> FILES = SampleRepository.seedFiles(DOCKERFILE);
    private static final VersionInputs INPUTS = VersionHasher.inputs(RepositoryFiles.ofText(FILES));
    private static final VersionHash HASH = VersionHasher.hash(INPUTS);
    private static final String OTHER_HASH = HASH.value().equals("0123456789abcdef") ? "fedcba9876543210" : "0123456789abcdef";

    private final InputsVerifier verifier = new InputsVerifier(REGISTRY, Arch.AMD64);

    /** An event as the hasher writes it for FILES at COMMIT. */
    private static ImageRequired event(String repository, String hash, VersionInputs inputs, String image, String cache) {
        return new ImageRequired(1, "ev-1", repository, COMMIT, "https://github.com/" + repository + ".git", hash, inputs,
                image, cache, "linux/amd64", HashInputs.DOCKERFILE, ".", Instant.parse("2026-11-28T12:00:00Z"));
    }

    private static ImageCoordinates coordinates(String registry, String repository, String hash) {
        return ImageCoordinates.of(registry, SourceRepository.parse(repository), new VersionHash(hash));
    }

    private static ImageRequired honest() {
        ImageCoordinates c = coordinates(REGISTRY, "acme/widget", HASH.value());
        return event("acme/widget", HASH.value(), INPUTS, c.image(Arch.AMD64).toString(), c.cache(Arch.AMD64).toString());
    }

    private VerifiedInputs verify(ImageRequired event) {
        return verify(event, COMMIT, RepositoryFiles.ofText(FILES), DOCKERFILE);
    }

    private VerifiedInputs verify(ImageRequired event, String fetchedCommit, RepositoryFiles files, String dockerfile) {
        return verifier.verify(event, ImageRef.parse(event.image()), ImageRef.parse(event.cache()), fetchedCommit, files,
                dockerfile.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEventWhoseClaimsMatchItsFilesIsVerifiedWithTheRecomputedValues() {
        VerifiedInputs verified = verify(honest());

        assertThat(verified.commit()).isEqualTo(COMMIT);
        assertThat(verified.versionHash()).isEqualTo(HASH);
        assertThat(verified.inputs()).isEqualTo(INPUTS);
    }

    @Test
    void anEventWithoutInputsIsVerifiedFromTheFilesAlone() {
        ImageRequired e = honest();
        ImageRequired withoutInputs = event(e.repository(), e.versionHash(), null, e.image(), e.cache());

        assertThat(verify(withoutInputs).inputs()).isEqualTo(INPUTS);
    }

    @Test
    void aVersionHashTheFilesDoNotGiveIsAMismatchNamingBothHashes() {
        ImageCoordinates forged = coordinates(REGISTRY, "acme/widget", OTHER_HASH);
        ImageRequired e = event("acme/widget", OTHER_HASH, INPUTS, forged.image(Arch.AMD64).toString(),
                forged.cache(Arch.AMD64).toString());

        assertThatThrownBy(() -> verify(e))
                .isInstanceOfSatisfying(InputsMismatchException.class, m -> {
                    assertThat(m.kind()).isEqualTo(FailureKind.INPUTS_MISMATCH);
                    assertThat(m.kind().isTransient()).isFalse();
                })
                .hasMessageContaining("version hash: the event claims " + OTHER_HASH + ", the files at " + COMMIT
                        + " hash to " + HASH)
                .hasMessageContaining("image: expected " + REGISTRY + "/acme/widget:builder-" + HASH + "-amd64");
    }

    @Test
    void inputsTheFilesDoNotGiveAreAMismatch() {
        ImageRequired e = honest();
        VersionInputs claimed = new VersionInputs("1.0.0", INPUTS.nodeVersion(), INPUTS.pnpmVersion(),
                INPUTS.pythonVersion(), INPUTS.uvVersion(), INPUTS.dockerfileHash());
        ImageRequired lying = event(e.repository(), e.versionHash(), claimed, e.image(), e.cache());

        assertThatThrownBy(() -> verify(lying)).isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("inputs: the event claims " + claimed.versionString() + ", the files give "
                        + INPUTS.versionString());
    }

    @Test
    void filesWithoutAVersionHashAreAMismatchNamingTheFile() {
        Map<String, String> files = new HashMap<>(FILES);
        files.remove(HashInputs.PYPROJECT);

        assertThatThrownBy(() -> verify(honest(), COMMIT, RepositoryFiles.ofText(files), DOCKERFILE))
                .isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("the event claims " + HASH)
                .hasMessageContaining("pyproject.toml: file is missing");
    }

    @Test
    void anImageOnAnotherRegistryIsAMismatch() {
        ImageCoordinates elsewhere = coordinates("ghcr.io", "acme/widget", HASH.value());
        ImageRequired e = event("acme/widget", HASH.value(), INPUTS, elsewhere.image(Arch.AMD64).toString(),
                elsewhere.cache(Arch.AMD64).toString());

        assertThatThrownBy(() -> verify(e)).isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("image: expected " + REGISTRY + "/acme/widget:builder-" + HASH
                        + "-amd64, the event names ghcr.io/acme/widget:builder-" + HASH + "-amd64")
                .hasMessageContaining("cache: expected " + REGISTRY + "/acme/widget:buildcache-amd64");
    }

    @Test
    void anImageOfAnotherRepositoryIsAMismatch() {
        ImageCoordinates victim = coordinates(REGISTRY, "acme/victim", HASH.value());
        ImageRequired e = event("acme/widget", HASH.value(), INPUTS, victim.image(Arch.AMD64).toString(),
                victim.cache(Arch.AMD64).toString());

        assertThatThrownBy(() -> verify(e)).isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("the event names " + REGISTRY + "/acme/victim:builder-" + HASH + "-amd64");
    }

    @Test
    void aCacheOfAnotherRepositoryIsAMismatchEvenWithTheRightImage() {
        ImageCoordinates own = coordinates(REGISTRY, "acme/widget", HASH.value());
        ImageCoordinates victim = coordinates(REGISTRY, "acme/victim", HASH.value());
        ImageRequired e = event("acme/widget", HASH.value(), INPUTS, own.image(Arch.AMD64).toString(),
                victim.cache(Arch.AMD64).toString());

        assertThatThrownBy(() -> verify(e)).isInstanceOf(InputsMismatchException.class)
                .hasMessage("cache: expected " + REGISTRY + "/acme/widget:buildcache-amd64, the event names "
                        + REGISTRY + "/acme/victim:buildcache-amd64");
    }

    @Test
    void aTagForAnotherArchOrWithoutTheArchSuffixIsAMismatch() {
        ImageCoordinates c = coordinates(REGISTRY, "acme/widget", HASH.value());
        ImageRequired arm = event("acme/widget", HASH.value(), INPUTS, c.image(Arch.ARM64).toString(),
                c.cache(Arch.AMD64).toString());
        ImageRequired index = event("acme/widget", HASH.value(), INPUTS, c.index().toString(),
                c.cache(Arch.AMD64).toString());

        assertThatThrownBy(() -> verify(arm)).isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("the event names " + REGISTRY + "/acme/widget:builder-" + HASH + "-arm64");
        assertThatThrownBy(() -> verify(index)).isInstanceOf(InputsMismatchException.class)
                .hasMessageEndingWith("the event names " + REGISTRY + "/acme/widget:builder-" + HASH);
    }

    @Test
    void theImagePathIsTheLowerCasedRepositoryAsTheHasherMakesIt() {
        ImageCoordinates c = coordinates(REGISTRY, "Acme/Widget", HASH.value());
        ImageRequired e = event("Acme/Widget", HASH.value(), INPUTS, c.image(Arch.AMD64).toString(),
                c.cache(Arch.AMD64).toString());

        assertThat(c.image(Arch.AMD64).repository()).isEqualTo("acme/widget");
        assertThat(verify(e).versionHash()).isEqualTo(HASH);
    }

    @Test
    void aDockerfileToBuildOtherThanTheHashedOneIsAMismatch() {
        assertThatThrownBy(() -> verify(honest(), COMMIT, RepositoryFiles.ofText(FILES), "FROM evil\n"))
                .isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("Dockerfile: the one to build")
                .hasMessageContaining("is not the hashed .devcontainer/Dockerfile (sha256 " + INPUTS.dockerfileHash() + ")");
    }

    @Test
    void aFetchedCommitOtherThanTheEventsIsAMismatch() {
        String other = "89abcdef0123456789abcdef0123456789abcdef";

        assertThatThrownBy(() -> verify(honest(), other, RepositoryFiles.ofText(FILES), DOCKERFILE))
                .isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("commit: the event names " + COMMIT + ", the fetched commit is " + other);
    }

    @Test
    void aRepositoryThatIsNoOwnerSlashNameIsAMismatch() {
        ImageRequired e = honest();
        ImageRequired bad = event("acme/widget/extra", e.versionHash(), INPUTS, e.image(), e.cache());

        assertThatThrownBy(() -> verify(bad)).isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("repository:");
    }

    @Test
    void refsOfTheClaimedHashOnTheWorkersRegistryPassTheCheckThatNeedsNoFiles() {
        ImageCoordinates claimed = coordinates(REGISTRY, "acme/widget", OTHER_HASH);
        ImageRequired e = event("acme/widget", OTHER_HASH, INPUTS, claimed.image(Arch.AMD64).toString(),
                claimed.cache(Arch.AMD64).toString());

        // the claim is only refuted once the files are there
        verifier.checkRefs(e, ImageRef.parse(e.image()), ImageRef.parse(e.cache()));
        assertThatThrownBy(() -> verify(e)).isInstanceOf(InputsMismatchException.class);
    }

    @Test
    void refsOnAnotherRegistryFailTheCheckThatNeedsNoFiles() {
        ImageCoordinates elsewhere = coordinates("169.254.169.254", "acme/widget", HASH.value());
        ImageRequired e = event("acme/widget", HASH.value(), INPUTS, elsewhere.image(Arch.AMD64).toString(),
                elsewhere.cache(Arch.AMD64).toString());

        assertThatThrownBy(() -> verifier.checkRefs(e, ImageRef.parse(e.image()), ImageRef.parse(e.cache())))
                .isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("image: expected " + REGISTRY + "/acme/widget:builder-" + HASH + "-amd64, "
                        + "the event names 169.254.169.254/acme/widget:builder-" + HASH + "-amd64");
    }

    @Test
    void aClaimedHashThatIsNoVersionHashFailsTheCheckThatNeedsNoFiles() {
        ImageRequired e = honest();
        ImageRequired bad = event(e.repository(), "NOT-A-HASH", INPUTS, e.image(), e.cache());

        assertThatThrownBy(() -> verifier.checkRefs(bad, ImageRef.parse(bad.image()), ImageRef.parse(bad.cache())))
                .isInstanceOf(InputsMismatchException.class)
                .hasMessageContaining("'NOT-A-HASH' is not 16 lower-case hex characters");
    }

    @Test
    void aVerifierForARegistryThatIsNoHostAndPortCannotBeMade() {
        assertThatThrownBy(() -> new InputsVerifier("not a registry", Arch.AMD64))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
