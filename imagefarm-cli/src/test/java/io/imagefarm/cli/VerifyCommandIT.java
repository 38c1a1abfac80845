package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.signature.Attestations;
import io.imagefarm.core.signature.ContentWriter;
import io.imagefarm.core.signature.SignatureClaims;
import io.imagefarm.core.signature.SignatureFormat;
import io.imagefarm.core.signature.Signer;
import io.imagefarm.core.signature.SigningKey;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.RegistrySeeder.Pushed;
import io.imagefarm.testsupport.SharedParts;
import io.imagefarm.testsupport.TokenServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagefarm verify} against a real local registry: an index as buildx pushes it with provenance
 * (per platform an image and an attestation manifest), signed with a key made at test time; the exit codes
 * and the failed check on a wrong key, a re-tagged image, a copied or missing signature.
 */
class VerifyCommandIT {

    static final String HASH = "5ea78654994769b1";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final SignatureClaims CLAIMS = new SignatureClaims("acme/widget", COMMIT, HASH);

    @TempDir
    Path dir;

    LocalRegistry registry;
    RegistrySeeder seeder;
    String repo;
    Repository repository;
    Path pub;
    Path otherPub;
    Signer signer;
    SigningKey signingKey;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        registry = SharedParts.registry();
        seeder = new RegistrySeeder(registry);
        repo = "acme/verify-" + UUID.randomUUID().toString().substring(0, 8);
        repository = Repository.of(registry.host(), repo);
        KeyPair pair = p256();
        pub = Files.writeString(dir.resolve("signing.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        otherPub = Files.writeString(dir.resolve("other.pub"), pem("PUBLIC KEY", p256().getPublic().getEncoded()));
        signingKey = SigningKey.fromPem(pem("PRIVATE KEY", pair.getPrivate().getEncoded()), "test key");
        signer = new Signer(signingKey, new SeederStore(seeder, new RegistryReader(Optional.empty(), false)));
    }

    int verify(String... args) {
        return verifyWith(Map.of(), args);
    }

    int verifyWith(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(List.of(args));
        return ImagefarmCli.run(all.toArray(String[]::new), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSignedIndexWithProvenanceVerifiesWithItsClaims() {
        Built built = pushIndexWithProvenance("builder-" + HASH, "a");
        signer.signIndex(repository, built.index().digest(), built.manifest(), CLAIMS);

        int code = verify(repository + ":builder-" + HASH + "@" + built.index().digest(), "--key", pub.toString(),
                "--repository", "acme/widget", "--commit", COMMIT, "--version-hash", HASH);

        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("verified=" + repository + ":builder-" + HASH + "@" + built.index().digest(),
                "signed-index=" + built.index().digest(),
                "signed-linux-amd64=" + built.amd64().digest(), "signed-linux-arm64=" + built.arm64().digest(),
                "provenance-linux-amd64=", "provenance-linux-arm64=");
        assertThat(err()).isEmpty();
    }

    @Test
    void anotherKeyFailsWithBadSignature() {
        Built built = pushIndexWithProvenance("builder-" + HASH, "b");
        signer.signIndex(repository, built.index().digest(), built.manifest(), CLAIMS);

        int code = verify(repository + "@" + built.index().digest(), "--key", otherPub.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out()).contains("failed-check=bad-signature").doesNotContain("verified=");
        assertThat(err()).startsWith("imagefarm verify: bad-signature: the signature of " + built.index().digest());
    }

    @Test
    void aReTaggedImageFails() {
        Built signed = pushIndexWithProvenance("builder-" + HASH, "c");
        signer.signIndex(repository, signed.index().digest(), signed.manifest(), CLAIMS);
        // Someone with push rights pushes another image over the tag, and copies the old signature to it.
        Built intruder = pushIndexWithProvenance("builder-" + HASH, "intruder");

        assertThat(verify(repository + ":builder-" + HASH + "@" + signed.index().digest(), "--key", pub.toString())).isEqualTo(1);
        assertThat(out()).contains("failed-check=tag-moved");
        assertThat(err()).contains("now points at " + intruder.index().digest());

        assertThat(verify(repository + "@" + intruder.index().digest(), "--key", pub.toString())).isEqualTo(1);
        assertThat(out()).contains("failed-check=missing-signature");

        seeder.putManifest(repo, SignatureFormat.signatureTag(intruder.index().digest()), "application/vnd.oci.image.manifest.v1+json",
                seeder.get("/v2/" + repo + "/manifests/" + SignatureFormat.signatureTag(signed.index().digest()))
                        .body().getBytes(StandardCharsets.UTF_8), null);
        assertThat(verify(repository + "@" + intruder.index().digest(), "--key", pub.toString())).isEqualTo(1);
        assertThat(out()).contains("failed-check=wrong-digest");
        assertThat(err()).contains("signs " + signed.index().digest());
    }

    @Test
    void aMissingPlatformSignatureFailsNamingIt() {
        Built built = pushIndexWithProvenance("builder-" + HASH, "d");
        signer.sign(repository, List.of(built.index().digest(), built.amd64().digest()), CLAIMS);

        assertThat(verify(repository + "@" + built.index().digest(), "--key", pub.toString())).isEqualTo(1);
        assertThat(out()).contains("failed-check=missing-signature");
        assertThat(err()).contains(SignatureFormat.signatureTag(built.arm64().digest()) + " does not exist");
    }

    @Test
    void aCommitOtherThanTheSignedOneFails() {
        Built built = pushIndexWithProvenance("builder-" + HASH, "e");
        signer.signIndex(repository, built.index().digest(), built.manifest(), CLAIMS);

        assertThat(verify(repository + "@" + built.index().digest(), "--key", pub.toString(), "--commit", "f".repeat(40)))
                .isEqualTo(1);
        assertThat(out()).contains("failed-check=wrong-commit");
    }

    @Test
    void anIndexWithoutProvenanceFailsUnlessNoProvenanceIsGiven() {
        Pushed amd = seeder.pushImage(repo, List.of(), "amd64", Instant.now(), "f");
        Pushed index = seeder.pushIndex(repo, "builder-old", List.of(amd));
        signer.sign(repository, List.of(index.digest(), amd.digest()), CLAIMS);

        assertThat(verify(repository + "@" + index.digest(), "--key", pub.toString())).isEqualTo(1);
        assertThat(out()).contains("failed-check=missing-provenance");
        assertThat(err()).contains("holds no attestation manifests");

        assertThat(verify(repository + "@" + index.digest(), "--key", pub.toString(), "--no-provenance")).as(err()).isZero();
        assertThat(out()).contains("signed-linux-amd64=" + amd.digest(), "provenance=not-checked");
    }

    @Test
    void anImageWithoutDigestOrAnRsaKeyIsAUsageError() throws Exception {
        assertThat(verify(repository + ":builder-" + HASH, "--key", pub.toString())).isEqualTo(2);
        assertThat(err()).contains("names no digest");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaPub = Files.writeString(dir.resolve("rsa.pub"), pem("PUBLIC KEY", rsa.generateKeyPair().getPublic().getEncoded()));
        assertThat(verify(repository + "@sha256:" + "a".repeat(64), "--key", rsaPub.toString())).isEqualTo(2);
        assertThat(err()).contains("is an RSA key");
    }

    @Test
    void aPrivateRegistryIsReadWithTheGivenCredentialsThroughItsTokenChallenge() throws Exception {
        try (TokenServer tokens = TokenServer.start("ci", "s3cret", Duration.ofMinutes(5));
             LocalRegistry locked = LocalRegistry.builder().tokenAuth(tokens).start()) {
            RegistrySeeder pusher = new RegistrySeeder(locked.url(), "Bearer " + pushToken(tokens));
            Pushed amd = pusher.pushImage(repo, List.of(), "amd64", Instant.now(), "g");
            Pushed index = pusher.pushIndex(repo, "builder-" + HASH, List.of(amd));
            Repository lockedRepo = Repository.of(locked.host(), repo);
            RegistryReader reader = new RegistryReader(Optional.of(new RegistryReader.Credentials("ci", "s3cret")), false);
            new Signer(signingKey, new SeederStore(pusher, reader)).sign(lockedRepo, List.of(index.digest(), amd.digest()), CLAIMS);
            String image = lockedRepo + ":builder-" + HASH + "@" + index.digest();

            assertThat(verifyWith(Map.of(VerifyCommand.PASSWORD_ENV, "s3cret"), image, "--key", pub.toString(),
                    "--no-provenance", "--registry-username", "ci")).as(err()).isZero();
            assertThat(out()).contains("signed-linux-amd64=" + amd.digest());
            assertThat(tokens.tokensIssued("repository:" + repo + ":pull")).isPositive();

            assertThat(verify(image, "--key", pub.toString(), "--no-provenance")).isEqualTo(1);
            assertThat(out()).contains("failed-check=registry");

            Path passwordFile = Files.writeString(dir.resolve("password"), "wrong\n");
            assertThat(verifyWith(Map.of(VerifyCommand.PASSWORD_ENV, "s3cret"), image, "--key", pub.toString(),
                    "--no-provenance", "--registry-username", "ci", "--registry-password-file", passwordFile.toString()))
                    .as("the file wins over the env var").isEqualTo(1);
            assertThat(err()).contains("refused").doesNotContain("wrong").doesNotContain("s3cret");
        }
    }

    /** A token for pushing, from the token server (the seeder sends a fixed Authorization header). */
    private String pushToken(TokenServer tokens) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString("ci:s3cret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(tokens.realm()
                        + "?service=" + TokenServer.SERVICE + "&scope=repository:" + repo + ":pull,push"))
                .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("token").asText();
    }

    // ------------------------------------------------------------------------------------------ fixtures

    record Built(Pushed index, Manifest manifest, Pushed amd64, Pushed arm64) {
    }

    /**
     * An index as the hasher assembles it from per-arch pushes with provenance (the shared
     * {@link RegistrySeeder#pushProvenanceIndex}): per platform the image and its attestation manifest.
     */
    Built pushIndexWithProvenance(String tag, String salt) {
        RegistryReader reader = new RegistryReader(Optional.empty(), false);
        List<Descriptor> images = new ArrayList<>();
        List<Descriptor> attestations = new ArrayList<>();
        List<Pushed> pushed = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            RegistrySeeder.ProvenancePush perArch = seeder.pushProvenanceIndex(repo, tag + "-" + arch, arch, Instant.now(), salt);
            pushed.add(perArch.image());
            for (Descriptor entry : reader.manifest(repository.digest(perArch.index().digest())).orElseThrow().manifest().children()) {
                (Attestations.isAttestation(entry) ? attestations : images).add(entry);
            }
        }
        images.addAll(attestations);
        Manifest index = Manifest.index(images, null);
        Pushed pushedIndex = seeder.putManifest(repo, tag, RegistrySeeder.OCI_INDEX, index.toJson(), null);
        return new Built(pushedIndex, index, pushed.get(0), pushed.get(1));
    }

    /** The signer's writes through the test's raw distribution client (the product's client needs Quarkus). */
    static final class SeederStore implements ContentWriter {
        private final RegistrySeeder seeder;
        private final RegistryReader reader;

        SeederStore(RegistrySeeder seeder, RegistryReader reader) {
            this.seeder = seeder;
            this.reader = reader;
        }

        @Override
        public Optional<Fetched> manifest(ImageRef ref) {
            return reader.manifest(ref);
        }

        @Override
        public byte[] blob(Repository r, String digest) {
            return reader.blob(r, digest);
        }

        @Override
        public String pushBlob(Repository r, byte[] content) {
            return seeder.pushBlob(r.path(), content);
        }

        @Override
        public String putManifest(ImageRef tag, String mediaType, byte[] body) {
            return seeder.putManifest(tag.repository(), tag.reference(), mediaType, body, null).digest();
        }
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
