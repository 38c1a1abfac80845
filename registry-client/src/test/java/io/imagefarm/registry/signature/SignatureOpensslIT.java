package io.imagefarm.registry.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.signature.ExpectedClaims;
import io.imagefarm.core.signature.ImageVerifier;
import io.imagefarm.core.signature.SignatureClaims;
import io.imagefarm.core.signature.SignatureFormat;
import io.imagefarm.core.signature.Signer;
import io.imagefarm.core.signature.SigningKey;
import io.imagefarm.core.signature.VerificationKey;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.config.RegistryBeans;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.RegistrySeeder.Pushed;
import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures pushed through the project's registry client, checked by something else than the project's
 * code: the {@code .sig} manifest and payload are fetched with plain HTTP and the signature verified by
 * {@code openssl dgst -sha256 -verify} (cosign cannot be installed here, and Debian's skopeo has sigstore
 * compiled out). Keys are made by openssl at test time.
 */
@QuarkusTest
class SignatureOpensslIT {

    static final SignatureClaims CLAIMS = new SignatureClaims("acme/widget", "0123456789abcdef0123456789abcdef01234567",
            "5ea78654994769b1");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    LocalRegistry registry;
    RegistrySeeder seeder;
    RegistryClient client;
    String repo;
    Repository repository;
    Path key;
    Path pub;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        registry = SharedParts.registry();
        seeder = new RegistrySeeder(registry);
        client = new RegistryClient(RegistryBeans.settings(Map.of()));
        repo = "acme/sig-" + UUID.randomUUID().toString().substring(0, 8);
        repository = Repository.of(registry.host(), repo);
        key = dir.resolve("signing.key");
        pub = dir.resolve("signing.pub");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl("pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void opensslVerifiesEverySignaturePushedForAnIndexAndItsPlatforms() throws Exception {
        Pushed amd = seeder.pushImage(repo, List.of(), "amd64", Instant.now(), "a");
        Pushed arm = seeder.pushImage(repo, List.of(), "arm64", Instant.now(), "b");
        Pushed index = seeder.pushIndex(repo, "builder-5ea78654994769b1", List.of(amd, arm));
        Signer signer = new Signer(SigningKey.fromSecret("imagefarm.hasher.signing.key", Optional.of(key)).orElseThrow(),
                new RegistryContentStore(client));

        List<ImageRef> tags = signer.signIndex(repository, index.digest(),
                client.getManifest(repository.digest(index.digest())).orElseThrow().manifest(), CLAIMS);

        assertThat(tags).hasSize(3);
        for (String digest : List.of(index.digest(), amd.digest(), arm.digest())) {
            Signed signed = fetchWithPlainHttp(digest);
            assertThat(opensslVerify(pub, signed)).as("openssl on the signature of " + digest).isTrue();
            JsonNode payload = JSON.readTree(Files.readAllBytes(signed.payload()));
            assertThat(payload.path("critical").path("image").path("docker-manifest-digest").asText()).isEqualTo(digest);
            assertThat(payload.path("critical").path("type").asText()).isEqualTo("cosign container image signature");
            assertThat(payload.path("optional").path("commit").asText()).isEqualTo(CLAIMS.commit());
        }
    }

    @Test
    void opensslRefusesTheSignatureWithAnotherKeyAndAFlippedPayload() throws Exception {
        Pushed image = seeder.pushImage(repo, "builder-1-amd64", "amd64", Instant.now(), "c");
        new Signer(SigningKey.fromSecret("k", Optional.of(key)).orElseThrow(), new RegistryContentStore(client))
                .sign(repository, image.digest(), CLAIMS);
        Path otherKey = dir.resolve("other.key");
        Path otherPub = dir.resolve("other.pub");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey.toString());
        openssl("pkey", "-in", otherKey.toString(), "-pubout", "-out", otherPub.toString());

        Signed signed = fetchWithPlainHttp(image.digest());
        Path flipped = dir.resolve("flipped.json");
        Files.writeString(flipped, Files.readString(signed.payload()).replace(CLAIMS.commit(), "f".repeat(40)));

        assertThat(opensslVerify(pub, signed)).isTrue();
        assertThat(opensslVerify(otherPub, signed)).isFalse();
        assertThat(opensslVerify(pub, new Signed(flipped, signed.signature()))).isFalse();
    }

    @Test
    void signingAgainKeepsOneLayerAndTheProjectsVerifierAgreesWithOpenssl() throws Exception {
        Pushed amd = seeder.pushImage(repo, List.of(), "amd64", Instant.now(), "d");
        Pushed index = seeder.pushIndex(repo, "builder-2", List.of(amd));
        RegistryContentStore store = new RegistryContentStore(client);
        SigningKey signingKey = SigningKey.fromSecret("k", Optional.of(key)).orElseThrow();
        var indexManifest = client.getManifest(repository.digest(index.digest())).orElseThrow().manifest();

        new Signer(signingKey, store).signIndex(repository, index.digest(), indexManifest, CLAIMS);
        new Signer(signingKey, store).signIndex(repository, index.digest(), indexManifest, CLAIMS);

        JsonNode sig = JSON.readTree(get("/v2/" + repo + "/manifests/" + SignatureFormat.signatureTag(index.digest())).body());
        assertThat(sig.path("layers")).hasSize(1);
        assertThat(opensslVerify(pub, fetchWithPlainHttp(index.digest()))).isTrue();
        var verified = new ImageVerifier(VerificationKey.fromFile(pub), store)
                .verify(repository.digest(index.digest()), ExpectedClaims.of(CLAIMS), ImageVerifier.Provenance.NOT_CHECKED);
        assertThat(verified.signatures()).hasSize(2);
    }

    @Test
    void twoReplicasSigningTheSameIndexAtOnceLeaveASignatureThatVerifies() throws Exception {
        Pushed amd = seeder.pushImage(repo, List.of(), "amd64", Instant.now(), "e");
        Pushed index = seeder.pushIndex(repo, "builder-3", List.of(amd));
        var indexManifest = client.getManifest(repository.digest(index.digest())).orElseThrow().manifest();
        SigningKey signingKey = SigningKey.fromSecret("k", Optional.of(key)).orElseThrow();
        java.util.concurrent.ExecutorService replicas = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (RegistryClient second = new RegistryClient(RegistryBeans.settings(Map.of()))) {
            List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
            for (RegistryClient replica : List.of(client, second)) {
                Signer signer = new Signer(signingKey, new RegistryContentStore(replica));
                runs.add(replicas.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        signer.signIndex(repository, index.digest(), indexManifest, CLAIMS);
                    }
                    return null;
                }));
            }
            for (var run : runs) {
                run.get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            replicas.shutdownNow();
        }

        JsonNode sig = JSON.readTree(get("/v2/" + repo + "/manifests/" + SignatureFormat.signatureTag(index.digest())).body());
        assertThat(sig.path("layers")).as("one payload, one layer, whoever wrote last").hasSize(1);
        assertThat(opensslVerify(pub, fetchWithPlainHttp(index.digest()))).isTrue();
        assertThat(opensslVerify(pub, fetchWithPlainHttp(amd.digest()))).isTrue();
    }

    @Test
    void pushBlobUploadsOnceAndAnswersTheDigest() {
        byte[] blob = ("blob " + UUID.randomUUID()).getBytes();

        String first = client.pushBlob(repository, blob);
        String second = client.pushBlob(repository, blob);

        assertThat(first).isEqualTo(RegistrySeeder.sha256(blob)).isEqualTo(second);
        assertThat(client.getBlob(repository, first)).isEqualTo(blob);
    }

    record Signed(Path payload, Path signature) {
    }

    /** The signature manifest, its first layer's payload and its annotation, by plain HTTP; written to files. */
    Signed fetchWithPlainHttp(String digest) throws Exception {
        HttpResponse<byte[]> manifest = get("/v2/" + repo + "/manifests/" + SignatureFormat.signatureTag(digest));
        assertThat(manifest.statusCode()).isEqualTo(200);
        JsonNode sig = JSON.readTree(manifest.body());
        assertThat(sig.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        JsonNode layer = sig.path("layers").path(0);
        assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
        HttpResponse<byte[]> payload = get("/v2/" + repo + "/blobs/" + layer.path("digest").asText());
        assertThat(payload.statusCode()).isEqualTo(200);
        String hex = digest.substring(7, 19);
        Path payloadFile = Files.write(dir.resolve(hex + ".payload.json"), payload.body());
        Path der = Files.write(dir.resolve(hex + ".sig.der"),
                Base64.getDecoder().decode(layer.path("annotations").path("dev.cosignproject.cosign/signature").asText()));
        return new Signed(payloadFile, der);
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static boolean opensslVerify(Path publicKey, Signed signed) {
        Processes.Result r = Processes.run(Duration.ofSeconds(30), List.of("openssl", "dgst", "-sha256", "-verify",
                publicKey.toString(), "-signature", signed.signature().toString(), signed.payload().toString()));
        assertThat(r.output()).containsAnyOf("Verified OK", "Verification failure");
        return r.exitCode() == 0 && r.output().contains("Verified OK");
    }

    static void openssl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Processes.run(Duration.ofSeconds(30), command).orThrow();
    }
}
