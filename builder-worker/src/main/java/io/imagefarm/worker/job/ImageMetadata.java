package io.imagefarm.worker.job;

import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.git.ShallowFetcher;
import io.imagefarm.git.SourceUrlRules;
import io.imagefarm.worker.context.InvalidContextException;
import io.imagefarm.worker.context.SourcePolicy;
import io.imagefarm.worker.verify.VerifiedInputs;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What an image says about where it comes from: the source URL (without credentials), the commit it was
 * built from, the version hash its files hash to and the repository. Recorded as OCI labels (in the image
 * config, and so in the provenance's build arguments) and as annotations on the image manifest and its
 * per-arch index, which a verifier reads without pulling the image.
 *
 * <p>The values come from an event, so they are checked again here, by the rules that checked them
 * before: the source URL by the worker's {@link SourcePolicy} (git-fetch's {@code SourceUrlRules}, which
 * refuses user info; it is stripped once more all the same), the repository by {@link SourceRepository},
 * the commit as a full SHA and the hash as a {@link VersionHash}. None of them may carry control
 * characters, and each is bounded: they become arguments of {@code docker buildx build} (one argv entry
 * each, never through a shell).
 */
public record ImageMetadata(String source, String revision, String versionHash, String repository) {

    public static final String SOURCE = "org.opencontainers.image.source";
    public static final String REVISION = "org.opencontainers.image.revision";
    public static final String VERSION_HASH = "io.imagefarm.version-hash";
    public static final String REPOSITORY = "io.imagefarm.repository";

    /** The longest value recorded; a git remote URL is far shorter. */
    public static final int MAX_VALUE_LENGTH = 2048;

    /**
     * @param sourceUrl  the event's source URL, which the context was fetched from
     * @param repository the event's repository ({@code OWNER/NAME})
     * @param verified   the commit the worker fetched and the hash its files gave
     * @throws InvalidContextException a value the rules refuse (permanent: the same event fails the same way)
     */
    public static ImageMetadata of(String sourceUrl, String repository, VerifiedInputs verified, SourcePolicy policy) {
        policy.check(sourceUrl, repository);
        String source = SourceUrlRules.withoutUserInfo(sourceUrl);
        String parsedRepository;
        try {
            parsedRepository = SourceRepository.parse(repository).toString();
        } catch (InvalidReferenceException e) {
            throw new InvalidContextException("repository: " + e.getMessage());
        }
        if (!ShallowFetcher.isFullSha(verified.commit())) {
            throw new InvalidContextException("commit '" + verified.commit() + "' is not a full 40-character SHA-1");
        }
        ImageMetadata metadata = new ImageMetadata(source, verified.commit(), verified.versionHash().value(),
                parsedRepository);
        metadata.recorded().forEach(ImageMetadata::requirePlain);
        return metadata;
    }

    /** The values as recorded, key to value, in a fixed order. */
    public Map<String, String> recorded() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(SOURCE, source);
        values.put(REVISION, revision);
        values.put(VERSION_HASH, versionHash);
        values.put(REPOSITORY, repository);
        return values;
    }

    private static void requirePlain(String key, String value) {
        if (value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
            throw new InvalidContextException(key + ": " + value.length() + " characters; expected 1 to "
                    + MAX_VALUE_LENGTH);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new InvalidContextException(key + ": a control or white-space character (U+"
                        + String.format(Locale.ROOT, "%04X", (int) c) + ") at " + i);
            }
        }
    }
}
