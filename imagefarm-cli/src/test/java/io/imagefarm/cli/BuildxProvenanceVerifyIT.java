package io.imagefarm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.signature.Attestations;
import io.imagefarm.core.signature.SignatureClaims;
import io.imagefarm.core.signature.Signer;
import io.imagefarm.core.signature.SigningKey;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SharedParts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} on what buildx really pushes with {@code --provenance=mode=max} (an index holding the image
 * and its attestation manifest), not on a hand-made imitation: the attestation's in-toto subject is the
 * image's digest, and the signed index verifies. {@code FROM scratch}: no image is pulled.
 */
class BuildxProvenanceVerifyIT {

    @TempDir
    Path dir;

    @Test
    void anIndexBuildxPushedWithProvenanceVerifiesOnceSigned() throws Exception {
        BuildHost.requireEngineWithBuildx();
        LocalRegistry registry = SharedParts.registry();
        String repo = "acme/buildx-" + UUID.randomUUID().toString().substring(0, 8);
        Repository repository = Repository.of(registry.host(), repo);
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("nonce"), UUID.randomUUID().toString());
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY nonce /nonce\n");
        String tag = "builder-5ea78654994769b1";
        Path metadata = dir.resolve("metadata.json");

        try {
            Processes.run(Duration.ofMinutes(5), context, Map.of(), List.of("docker", "buildx", "build", "--progress=plain",
                    "--provenance=mode=max", "--metadata-file", metadata.toString(),
                    "--tag", repository + ":" + tag, "--push", ".")).orThrow();
        } finally {
            // The engine's image store keeps a copy of what it pushed; the registry's is the one tested.
            Processes.run(Duration.ofMinutes(1), List.of("docker", "image", "rm", "--force", repository + ":" + tag));
        }

        String indexDigest = new ObjectMapper().readTree(metadata.toFile()).path("containerimage.digest").asText();
        RegistryReader reader = new RegistryReader(Optional.empty(), false);
        Manifest index = reader.manifest(repository.digest(indexDigest)).orElseThrow().manifest();
        assertThat(index.isIndex()).as("buildx pushed an index").isTrue();
        Descriptor image = Attestations.platformManifests(index).get(0);
        Descriptor attestation = Attestations.attestationManifests(index).get(0);
        assertThat(Attestations.subjectDigest(attestation)).isEqualTo(image.digest());
        Manifest attestationManifest = reader.manifest(repository.digest(attestation.digest())).orElseThrow().manifest();
        JsonNode statement = new ObjectMapper().readTree(reader.blob(repository, attestationManifest.layers().get(0).digest()));
        assertThat(statement.path("subject").path(0).path("digest").path("sha256").asText()).isEqualTo(image.digest().substring(7));

        KeyPair pair = VerifyCommandIT.p256();
        Path pub = Files.writeString(dir.resolve("signing.pub"), VerifyCommandIT.pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        new Signer(SigningKey.fromPem(VerifyCommandIT.pem("PRIVATE KEY", pair.getPrivate().getEncoded()), "test key"),
                new VerifyCommandIT.SeederStore(new RegistrySeeder(registry), reader))
                .signIndex(repository, indexDigest, index, new SignatureClaims("acme/widget", "c0ffee", "5ea78654994769b1"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ImagefarmCli.run(new String[] {"verify", new ImageRef(registry.host(), repo, tag, indexDigest).toString(),
            "--key", pub.toString(), "--version-hash", "5ea78654994769b1"}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("signed-linux-amd64=" + image.digest(),
                "provenance-linux-amd64=" + attestation.digest());
    }
}
