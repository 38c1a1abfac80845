package io.imagefarm.worker.verify;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.OciNames;
import io.imagefarm.core.image.SourceRepository;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The worker's last line of defence: anyone who can produce to the topic can write an event, so before
 * anything is built the worker recomputes what the event claims, with the hasher's own code.
 * A tag {@code builder-<hash>-<arch>} is only pushed for content built from files that hash to
 * {@code <hash>}:
 * <ul>
 * <li>the five hash inputs at the fetched commit hash to the event's version hash (and give the event's
 * inputs, when it carries them);</li>
 * <li>the image is exactly {@code <registry>/<repository>:builder-<hash>-<arch>} and the cache
 * {@code <registry>/<repository>:buildcache-<arch>}, for the worker's registry and arch and the event's
 * repository ({@link ImageCoordinates}, as the hasher derives them);</li>
 * <li>the Dockerfile to build has the bytes of the hashed {@code .devcontainer/Dockerfile}.</li>
 * </ul>
 * Any mismatch is an {@link InputsMismatchException} naming expected and actual values.
 *
 * <p>{@link #checkRefs} checks what needs no files (the refs are the claimed hash's refs on the worker's
 * registry) before the worker contacts any registry for the event; {@link #verify} checks everything
 * once the commit is fetched.
 */
public final class InputsVerifier {

    private final String registry;
    private final Arch arch;

    /**
     * @param registry the registry this worker pushes to (host[:port])
     * @param arch     the arch this worker builds
     */
    public InputsVerifier(String registry, Arch arch) {
        this.registry = OciNames.requireRegistry(registry);
        this.arch = arch;
    }

    /**
     * The image and cache are the refs of the event's claimed version hash, for its repository, on this
     * worker's registry and for its arch. Needs no files: done before the registry is asked whether the
     * image exists, so the worker contacts no registry an event names but its own.
     */
    public void checkRefs(ImageRequired event, ImageRef image, ImageRef cache) {
        SourceRepository repository = repository(event);
        if (!VersionHash.isValid(event.versionHash())) {
            throw new InputsMismatchException("version hash: '" + event.versionHash()
                    + "' is not 16 lower-case hex characters");
        }
        List<String> mismatches = new ArrayList<>();
        checkRefs(ImageCoordinates.of(registry, repository, new VersionHash(event.versionHash())), image, cache,
                mismatches);
        if (!mismatches.isEmpty()) {
            throw new InputsMismatchException(String.join("; ", mismatches));
        }
    }

    /**
     * @param event             the event as received
     * @param image             the event's image ref, parsed
     * @param cache             the event's cache ref, parsed
     * @param fetchedCommit     the commit the context was fetched at
     * @param hashInputs        the five hash inputs at that commit's repository root
     * @param dockerfileToBuild the bytes of the Dockerfile buildx would be given
     */
    public VerifiedInputs verify(ImageRequired event, ImageRef image, ImageRef cache, String fetchedCommit,
                                 RepositoryFiles hashInputs, byte[] dockerfileToBuild) {
        SourceRepository repository = repository(event);
        VersionInputs inputs;
        VersionHash hash;
        try {
            inputs = VersionHasher.inputs(hashInputs);
            hash = VersionHasher.hash(inputs);
        } catch (InvalidRepositoryFilesException e) {
            throw new InputsMismatchException("version hash: the event claims " + event.versionHash()
                    + ", but the files at " + fetchedCommit + " have no version hash (" + e.getMessage() + ")");
        }
        List<String> mismatches = new ArrayList<>();
        if (!fetchedCommit.equals(event.commit())) {
            mismatches.add("commit: the event names " + event.commit() + ", the fetched commit is " + fetchedCommit);
        }
        if (!hash.value().equals(event.versionHash())) {
            mismatches.add("version hash: the event claims " + event.versionHash() + ", the files at " + fetchedCommit
                    + " hash to " + hash);
        }
        if (event.inputs() != null && !event.inputs().equals(inputs)) {
            mismatches.add("inputs: the event claims " + event.inputs().versionString() + ", the files give "
                    + inputs.versionString());
        }
        checkRefs(ImageCoordinates.of(registry, repository, hash), image, cache, mismatches);
        byte[] hashedDockerfile = hashInputs.require(HashInputs.DOCKERFILE);
        if (!MessageDigest.isEqual(hashedDockerfile, dockerfileToBuild)) {
            mismatches.add("Dockerfile: the one to build (" + event.dockerfile() + " in context " + event.context()
                    + ", sha256 " + sha256Prefix(dockerfileToBuild) + ") is not the hashed " + HashInputs.DOCKERFILE
                    + " (sha256 " + inputs.dockerfileHash() + ")");
        }
        if (!mismatches.isEmpty()) {
            throw new InputsMismatchException(String.join("; ", mismatches));
        }
        return new VerifiedInputs(fetchedCommit, hash, inputs);
    }

    private static SourceRepository repository(ImageRequired event) {
        try {
            return SourceRepository.parse(event.repository());
        } catch (InvalidReferenceException e) {
            throw new InputsMismatchException("repository: " + e.getMessage());
        }
    }

    private void checkRefs(ImageCoordinates expected, ImageRef image, ImageRef cache, List<String> mismatches) {
        if (!expected.image(arch).equals(image)) {
            mismatches.add("image: expected " + expected.image(arch) + ", the event names " + image);
        }
        if (!expected.cache(arch).equals(cache)) {
            mismatches.add("cache: expected " + expected.cache(arch) + ", the event names " + cache);
        }
    }

    private static String sha256Prefix(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
