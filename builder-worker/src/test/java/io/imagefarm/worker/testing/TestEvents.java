package io.imagefarm.worker.testing;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.testsupport.SampleRepository;
import io.imagefarm.testsupport.SourceRepo;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** ImageRequired events as the hasher writes them, for a repository under {@code acme/} on a test registry. */
public final class TestEvents {

    public static final String DOCKERFILE = ".devcontainer/Dockerfile";

    private TestEvents() {
    }

    public static String randomHash() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The seed's five hash inputs, with {@code dockerfile} as {@code .devcontainer/Dockerfile}. */
    public static Map<String, String> seedFiles(String dockerfile) {
        return SampleRepository.seedFiles(dockerfile);
    }

    /** The event the hasher writes for {@code commit}: version hash and inputs computed from the files there. */
    public static ImageRequired imageRequired(String registry, String repoName, SourceRepo source, String commit, Arch arch) {
        VersionInputs inputs = VersionHasher.inputs(source.hashInputs(commit));
        return event(registry, repoName, source.url(), commit, arch, VersionHasher.hash(inputs).value(), inputs);
    }

    /**
     * A forged event, as anyone who can produce to the topic could write it: consistent in itself (image
     * and cache for {@code claimedHash}), but {@code claimedHash} is not what the files at {@code commit} hash to.
     */
    public static ImageRequired claiming(String claimedHash, String registry, String repoName, SourceRepo source,
                                         String commit, Arch arch) {
        VersionInputs inputs = VersionHasher.inputs(source.hashInputs(commit));
        return event(registry, repoName, source.url(), commit, arch, claimedHash, inputs);
    }

    /**
     * An event as the hasher writes it for a hash, when nothing will fetch it (for tests of the decisions
     * around a job): its commit and inputs are made up.
     */
    public static ImageRequired forHash(String registry, String repoName, String hash, Arch arch) {
        return event(registry, repoName, "https://github.com/acme/" + repoName + ".git", "0".repeat(40), arch, hash, null);
    }

    /** The event with another sourceUrl, the rest unchanged. */
    public static ImageRequired withSourceUrl(ImageRequired e, String sourceUrl) {
        return new ImageRequired(e.schemaVersion(), e.eventId(), e.repository(), e.commit(), sourceUrl, e.versionHash(),
                e.inputs(), e.image(), e.cache(), e.platform(), e.dockerfile(), e.context(), e.requestedAt());
    }

    /** The event as a rebuild over {@code digest}, which was pushed over the tag (TAG_MOVED, then retried). */
    public static ImageRequired replacing(ImageRequired e, String digest) {
        return new ImageRequired(e.schemaVersion(), e.eventId(), e.repository(), e.commit(), e.sourceUrl(), e.versionHash(),
                e.inputs(), e.image(), e.cache(), e.platform(), e.dockerfile(), e.context(), e.requestedAt(), digest);
    }

    private static ImageRequired event(String registry, String repoName, String sourceUrl, String commit, Arch arch,
                                       String hash, VersionInputs inputs) {
        ImageCoordinates coords = ImageCoordinates.of(registry, SourceRepository.parse("acme/" + repoName), new VersionHash(hash));
        return new ImageRequired(ImageRequired.SCHEMA_VERSION, UUID.randomUUID().toString(), "acme/" + repoName, commit,
                sourceUrl, hash, inputs, coords.image(arch).toString(), coords.cache(arch).toString(), arch.platform(),
                DOCKERFILE, ".", Instant.now());
    }
}
