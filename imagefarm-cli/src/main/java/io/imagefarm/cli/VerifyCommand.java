package io.imagefarm.cli;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.core.secret.Secrets;
import io.imagefarm.core.signature.ExpectedClaims;
import io.imagefarm.core.signature.ImageVerifier;
import io.imagefarm.core.signature.ImageVerifier.Provenance;
import io.imagefarm.core.signature.ImageVerifier.VerifiedImage;
import io.imagefarm.core.signature.InvalidKeyFileException;
import io.imagefarm.core.signature.VerificationFailedException;
import io.imagefarm.core.signature.VerificationKey;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imagefarm verify}: checks a pinned builder image against the farm's public key, without cosign:
 * the signatures of the index and of each platform manifest, the digest each payload names, the
 * provenance's subjects, and the claims given. The checks are {@link ImageVerifier}'s; this class reads the
 * options, the key and the registry credentials, and prints the outcome.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        optionListHeading = "%nOptions:%n",
        versionProvider = VersionProvider.class,
        description = {
            "Verifies a pinned builder image's signatures and provenance with the farm's public key.",
            "",
            "Fetches the cosign signature (tag sha256-<hex>.sig) of IMAGE's index and of each platform manifest "
                    + "in it, and checks that each verifies with --key, that each payload names the digest it "
                    + "signs, that each platform manifest has SLSA provenance whose subject is that manifest, "
                    + "and that the signed repository, commit and version hash are the ones given. With a tag "
                    + "in IMAGE (IMAGE:TAG@DIGEST) the tag must still point at DIGEST.",
            "",
            "Prints verified=IMAGE and one line per checked digest, or failed-check=ID with one stderr line "
                    + "saying what failed. Registry credentials: --registry-username with "
                    + "IMAGEFARM_REGISTRY_PASSWORD or --registry-password-file (the file wins); none for a "
                    + "public image."},
        sortOptions = false,
        exitCodeListHeading = ImagefarmCli.EXIT_CODES_HEADING,
        exitCodeList = {"0:success: every check held",
            "1:a check failed (failed-check= names it: missing-signature, bad-signature, wrong-digest, "
                    + "wrong-repository, wrong-commit, wrong-version-hash, missing-provenance, "
                    + "wrong-provenance-subject, tag-moved, image-not-found, malformed-payload, index-too-large), or the "
                    + "registry could not be read",
            "2:usage error: IMAGE without @DIGEST, an unreadable or unusable --key (not an ECDSA P-256 public key)"})
final class VerifyCommand implements Callable<Integer> {

    static final String PASSWORD_ENV = "IMAGEFARM_REGISTRY_PASSWORD";

    @Parameters(index = "0", paramLabel = "IMAGE@DIGEST",
            description = "The pinned image: REGISTRY/PATH[:TAG]@sha256:..., as resolve --wait prints it.")
    String image;

    @Option(names = "--key", required = true, paramLabel = "FILE",
            description = "The farm's public key: a PEM public key, as cosign verify --key takes it.")
    Path key;

    @Option(names = "--repository", paramLabel = "OWNER/NAME", converter = Converters.Repository.class,
            description = "Require the signatures to name this source repository.")
    io.imagefarm.core.image.SourceRepository repository;

    @Option(names = "--commit", paramLabel = "SHA", description = "Require the signatures to name this commit.")
    String commit;

    @Option(names = "--version-hash", paramLabel = "HASH", description = "Require the signatures to name this version hash.")
    String versionHash;

    @Option(names = "--no-provenance",
            description = "Do not require SLSA provenance (images built before the farm attached it); signatures only.")
    boolean noProvenance;

    @Option(names = "--registry-username", paramLabel = "USER",
            description = "Registry user; the password comes from IMAGEFARM_REGISTRY_PASSWORD or --registry-password-file.")
    String registryUsername;

    @Option(names = "--registry-password-file", paramLabel = "FILE",
            description = "A file holding the registry password or token; wins over IMAGEFARM_REGISTRY_PASSWORD.")
    Path registryPasswordFile;

    @Option(names = "--plain-http", description = "Reach the registry over http (loopback registries always are).")
    boolean plainHttp;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    VerifyCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        ImageRef ref;
        VerificationKey publicKey;
        Optional<RegistryReader.Credentials> credentials;
        try {
            ref = ImageRef.parse(image);
            if (ref.digest() == null) {
                return usage(image + " names no digest: give the pinned image, IMAGE@sha256:... (resolve --wait prints it)");
            }
            publicKey = VerificationKey.fromFile(key);
            credentials = credentials();
        } catch (InvalidReferenceException | InvalidKeyFileException | UncheckedIOException | IllegalStateException e) {
            return usage(e.getMessage());
        }
        ExpectedClaims expected = new ExpectedClaims(Optional.ofNullable(repository).map(Object::toString),
                Optional.ofNullable(commit), Optional.ofNullable(versionHash));
        try {
            VerifiedImage verified = new ImageVerifier(publicKey, new RegistryReader(credentials, plainHttp))
                    .verify(ref, expected, noProvenance ? Provenance.NOT_CHECKED : Provenance.REQUIRED);
            print(verified);
            return ImagefarmCli.OK;
        } catch (VerificationFailedException e) {
            out.println("failed-check=" + e.check().id());
            out.flush();
            err.println("imagefarm verify: " + UsageErrors.oneLine(e.getMessage()));
            return ImagefarmCli.FAILED;
        } catch (RegistryException e) {
            out.println("failed-check=registry");
            out.flush();
            err.println("imagefarm verify: cannot read the registry: " + UsageErrors.oneLine(String.valueOf(e.getMessage())));
            return ImagefarmCli.FAILED;
        }
    }

    private void print(VerifiedImage verified) {
        out.println("verified=" + verified.image());
        out.println("signed-index=" + verified.image().digest());
        verified.platforms().forEach((digest, platform) -> out.println("signed-" + key(platform) + "=" + digest));
        verified.provenance().forEach(p -> out.println("provenance-" + key(p.platform()) + "=" + p.attestationDigest()));
        if (verified.provenance().isEmpty()) {
            out.println("provenance=not-checked");
        }
        out.flush();
    }

    /** {@code linux/arm64/v8} as an output key: {@code linux-arm64-v8}. */
    private static String key(String platform) {
        return platform.replace('/', '-').replace(':', '-');
    }

    private Optional<RegistryReader.Credentials> credentials() {
        if (registryUsername == null || registryUsername.isBlank()) {
            return Optional.empty();
        }
        String password = Secrets.require("--registry-password-file", Optional.ofNullable(env.get(PASSWORD_ENV)),
                Optional.ofNullable(registryPasswordFile));
        return Optional.of(new RegistryReader.Credentials(registryUsername.strip(), password));
    }

    private int usage(String message) {
        err.println("imagefarm verify: " + UsageErrors.oneLine(String.valueOf(message)) + " (see 'imagefarm verify --help')");
        return ImagefarmCli.USAGE;
    }
}
