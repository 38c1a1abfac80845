package io.imagefarm.core.signature;

import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An index as buildx pushes it with provenance: per platform an image manifest and an attestation manifest
 * (unknown/unknown, attestation-manifest, reference digest) holding an in-toto SLSA statement.
 */
final class SignedIndexFixture {

    final Repository repository = Repository.of("registry.test", "acme/widget");
    final InMemoryRegistry registry = new InMemoryRegistry();
    final List<Descriptor> platforms = new ArrayList<>();
    final List<Descriptor> attestations = new ArrayList<>();

    /** Adds a platform image and, unless {@code subjectOverride} is "none", its attestation naming the subject. */
    Descriptor addPlatform(String arch, String subjectOverride) {
        Descriptor image = manifest("image " + arch, new Descriptor.Platform(arch, "linux", null), null);
        platforms.add(image);
        if (!"none".equals(subjectOverride)) {
            String subject = subjectOverride != null ? subjectOverride : image.digest();
            byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
                    + "\"subject\":[{\"name\":\"pkg:docker/acme/widget?platform=linux%2F" + arch + "\",\"digest\":{\"sha256\":\""
                    + subject.substring(7) + "\"}}],\"predicate\":{\"builder\":{\"id\":\"x\"}}}").getBytes(StandardCharsets.UTF_8);
            String statementDigest = registry.pushBlob(repository, statement);
            Descriptor layer = new Descriptor(MediaTypes.IN_TOTO, statementDigest, statement.length, null,
                    Map.of("in-toto.io/predicate-type", "https://slsa.dev/provenance/v0.2"));
            Descriptor attestation = manifest("attestation " + arch, new Descriptor.Platform("unknown", "unknown", null),
                    layer);
            attestations.add(new Descriptor(attestation.mediaType(), attestation.digest(), attestation.size(),
                    attestation.platform(), Map.of(Manifests.REFERENCE_TYPE_ANNOTATION, Manifests.ATTESTATION_MANIFEST,
                    Manifests.REFERENCE_DIGEST_ANNOTATION, image.digest())));
        }
        return image;
    }

    /** Pushes the index over what was added; returns its digest. */
    String pushIndex(String tag) {
        List<Descriptor> children = new ArrayList<>(platforms);
        children.addAll(attestations);
        byte[] body = Manifest.index(children, null).toJson();
        return registry.putManifest(repository.tag(tag), MediaTypes.OCI_INDEX, body);
    }

    Manifest index(String digest) {
        return registry.manifest(repository.digest(digest)).orElseThrow().manifest();
    }

    private Descriptor manifest(String salt, Descriptor.Platform platform, Descriptor layer) {
        byte[] config = ("{\"salt\":\"" + salt + "\"}").getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.pushBlob(repository, config);
        byte[] layerBytes = salt.getBytes(StandardCharsets.UTF_8);
        Descriptor l = layer != null ? layer : new Descriptor("application/vnd.oci.image.layer.v1.tar",
                registry.pushBlob(repository, layerBytes), layerBytes.length, null, null);
        byte[] body = new Manifest(2, MediaTypes.OCI_MANIFEST,
                new Descriptor(MediaTypes.OCI_CONFIG, configDigest, config.length, null, null), List.of(l), null, null).toJson();
        String digest = registry.putByDigest(repository, body);
        return new Descriptor(MediaTypes.OCI_MANIFEST, digest, body.length, platform, null);
    }
}
