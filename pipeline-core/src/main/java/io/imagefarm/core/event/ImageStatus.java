package io.imagefarm.core.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.OciNames;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The latest state of one image ref on the compacted {@link Topics#IMAGE_STATUS} topic, keyed by
 * {@link #image}. Per-arch refs ({@code builder-<hash>-<arch>}) carry build states, written by the
 * hasher (REQUESTED, EXISTS) and the workers (BUILDING, BUILT, FAILED). The index ref
 * ({@code builder-<hash>}, {@link #arch} null) is written only by the hasher: it carries when CI
 * last asked for the hash, which the janitor's retention-by-use reads, and the index digest.
 *
 * @param commit on a per-arch BUILT: the commit the worker fetched and built from; on the index ref once
 *               signed: the commit its signatures name, so that they can be written again after a restart
 * @param inputs on BUILT: the version inputs the worker recomputed from the files at {@link #commit};
 *               they hash to {@link #versionHash} (the worker refuses to build otherwise)
 * @param digest a per-arch ref's: what its tag resolved to, as the worker pushed it (the per-arch index of
 *               the image and its attestation, or, built before provenance, the image manifest itself);
 *               the index ref's: the multi-arch index's
 * @param platforms on the index ref once assembled: by arch, the digests of the image manifest and its
 *                  attestation manifest the index holds (what CI pins and a verifier checks); null otherwise
 * @param signature on the index ref once signed: the tag of the index digest's signature in cosign's
 *                  format ({@code sha256-<hex>.sig}); null when unsigned (no signing key configured)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageStatus(
        int schemaVersion,
        String image,
        String repository,
        String versionHash,
        String commit,
        VersionInputs inputs,
        String arch,
        BuildState state,
        String digest,
        FailureKind failure,
        String reason,
        String logTail,
        BuildTimings timings,
        Integer cachedSteps,
        Integer totalSteps,
        String requestEventId,
        Instant lastRequestedAt,
        Instant updatedAt,
        Map<String, PlatformDigests> platforms,
        String signature) {

    public static final int SCHEMA_VERSION = 1;

    /**
     * One platform of an assembled index: its image manifest's digest, and its attestation manifest's
     * (null when the image was built without provenance).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlatformDigests(String image, String attestation) {
    }

    public ImageStatus {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updatedAt, "updatedAt");
        platforms = platforms == null ? null : Collections.unmodifiableMap(new TreeMap<>(platforms));
    }

    /** A status without a signature (every record but a signed index's). */
    public ImageStatus(int schemaVersion, String image, String repository, String versionHash, String commit,
                       VersionInputs inputs, String arch, BuildState state, String digest, FailureKind failure,
                       String reason, String logTail, BuildTimings timings, Integer cachedSteps, Integer totalSteps,
                       String requestEventId, Instant lastRequestedAt, Instant updatedAt,
                       Map<String, PlatformDigests> platforms) {
        this(schemaVersion, image, repository, versionHash, commit, inputs, arch, state, digest, failure, reason,
                logTail, timings, cachedSteps, totalSteps, requestEventId, lastRequestedAt, updatedAt, platforms, null);
    }

    /** A status without platform digests (every record but an assembled index's). */
    public ImageStatus(int schemaVersion, String image, String repository, String versionHash, String commit,
                       VersionInputs inputs, String arch, BuildState state, String digest, FailureKind failure,
                       String reason, String logTail, BuildTimings timings, Integer cachedSteps, Integer totalSteps,
                       String requestEventId, Instant lastRequestedAt, Instant updatedAt) {
        this(schemaVersion, image, repository, versionHash, commit, inputs, arch, state, digest, failure, reason,
                logTail, timings, cachedSteps, totalSteps, requestEventId, lastRequestedAt, updatedAt, null);
    }

    /**
     * A record of the status topic, which is untrusted input like any other: decoded, and refused unless
     * its image ref and version hash are ones (a reader parses both later: the index assembler, the
     * janitor's retention). Every reader of the topic reads through this.
     *
     * @throws InvalidEventException undecodable, or an invalid image ref or version hash
     */
    public static ImageStatus fromRecord(byte[] value) {
        ImageStatus status = EventCodec.decode(value, ImageStatus.class);
        try {
            ImageRef.parse(status.image());
        } catch (InvalidReferenceException e) {
            throw new InvalidEventException("ImageStatus: " + e.getMessage());
        }
        if (status.versionHash() != null && !VersionHash.isValid(status.versionHash())) {
            throw new InvalidEventException("ImageStatus: invalid version hash '" + status.versionHash() + "'");
        }
        if (status.signature() != null && !status.signature().matches("sha256-[0-9a-f]{64}\\.sig")) {
            throw new InvalidEventException("ImageStatus: invalid signature tag '"
                    + (status.signature().length() > 80 ? status.signature().substring(0, 80) + "…" : status.signature()) + "'");
        }
        if (status.platforms() != null) {
            requirePlatforms(status.platforms());
        }
        return status;
    }

    /** Platforms are keyed by a known arch and name digests: a reader pins what they say. */
    private static void requirePlatforms(Map<String, PlatformDigests> platforms) {
        try {
            for (Map.Entry<String, PlatformDigests> e : platforms.entrySet()) {
                Arch.parse(e.getKey());
                if (e.getValue() == null) {
                    throw new InvalidReferenceException("platform " + e.getKey() + " names no digest");
                }
                OciNames.requireDigest(e.getValue().image());
                if (e.getValue().attestation() != null) {
                    OciNames.requireDigest(e.getValue().attestation());
                }
            }
        } catch (InvalidReferenceException e) {
            throw new InvalidEventException("ImageStatus: platforms: " + e.getMessage());
        }
    }

    /** {@link #fromRecord(byte[])} for a record read as a string. */
    public static ImageStatus fromRecord(String value) {
        return fromRecord(value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A status that records no verified commit and inputs (every state but BUILT). */
    public ImageStatus(int schemaVersion, String image, String repository, String versionHash, String arch,
                       BuildState state, String digest, FailureKind failure, String reason, String logTail,
                       BuildTimings timings, Integer cachedSteps, Integer totalSteps, String requestEventId,
                       Instant lastRequestedAt, Instant updatedAt) {
        this(schemaVersion, image, repository, versionHash, null, null, arch, state, digest, failure, reason, logTail,
                timings, cachedSteps, totalSteps, requestEventId, lastRequestedAt, updatedAt);
    }

    /** Fetch, build and push durations of one build, in milliseconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BuildTimings(long fetchMillis, long buildMillis, long pushMillis) {
    }

    /** Carries the commit and inputs the request claims (a worker's BUILT carries the ones it verified). */
    public static ImageStatus requested(ImageRequired event) {
        return new ImageStatus(SCHEMA_VERSION, event.image(), event.repository(), event.versionHash(), event.commit(),
                event.inputs(), archOf(event.platform()), BuildState.REQUESTED, null, null, null, null, null, null, null,
                event.eventId(), null, event.requestedAt());
    }

    public static ImageStatus building(ImageRequired event, Instant now) {
        return new ImageStatus(SCHEMA_VERSION, event.image(), event.repository(), event.versionHash(),
                archOf(event.platform()), BuildState.BUILDING, null, null, null, null, null, null, null,
                event.eventId(), null, now);
    }

    public static ImageStatus exists(String image, String repository, String versionHash, String arch, String digest,
                                     String requestEventId, Instant now) {
        return new ImageStatus(SCHEMA_VERSION, image, repository, versionHash, arch, BuildState.EXISTS, digest,
                null, null, null, null, null, null, requestEventId, null, now);
    }

    /** BUILT, recording the event's own commit and inputs: for an event whose values were verified as they are. */
    public static ImageStatus built(ImageRequired event, String digest, BuildTimings timings, int cachedSteps,
                                    int totalSteps, Instant now) {
        return built(event, event.commit(), event.inputs(), digest, timings, cachedSteps, totalSteps, now);
    }

    /**
     * BUILT, recording what the worker verified before it built: the commit it fetched and the inputs it
     * recomputed from the files there (which hash to the event's version hash).
     */
    public static ImageStatus built(ImageRequired event, String verifiedCommit, VersionInputs verifiedInputs,
                                    String digest, BuildTimings timings, int cachedSteps, int totalSteps, Instant now) {
        return new ImageStatus(SCHEMA_VERSION, event.image(), event.repository(), event.versionHash(), verifiedCommit,
                verifiedInputs, archOf(event.platform()), BuildState.BUILT, digest, null, null, null, timings,
                cachedSteps, totalSteps, event.eventId(), null, now);
    }

    public static ImageStatus failed(ImageRequired event, FailureKind failure, String reason, String logTail,
                                     Instant now) {
        return new ImageStatus(SCHEMA_VERSION, event.image(), event.repository(), event.versionHash(),
                archOf(event.platform()), BuildState.FAILED, null, failure, reason, logTail, null, null, null,
                event.eventId(), null, now);
    }

    /**
     * REQUESTED again, written by a worker: an attempt to build failed transiently, and the event waits
     * in the worker's retry topic until {@code notBefore}. The image stays in flight for the hasher (a
     * REQUESTED younger than its in-flight TTL), and {@link #failure} and {@link #reason} tell CI and
     * humans why it is not built yet.
     *
     * @param nextAttempt the number of the attempt that will follow (2 for the first retry)
     */
    public static ImageStatus retryQueued(ImageRequired event, int nextAttempt, FailureKind failure, String message,
                                          Instant notBefore, Instant now) {
        String reason = "retry " + nextAttempt + " after " + failure + ": " + message + "; not before " + notBefore;
        return new ImageStatus(SCHEMA_VERSION, event.image(), event.repository(), event.versionHash(),
                archOf(event.platform()), BuildState.REQUESTED, null, failure, reason, null, null, null, null,
                event.eventId(), null, now);
    }

    /**
     * The janitor deleted this tag (an arch image {@code builder-<hash>-<arch>}, or the index
     * {@code builder-<hash>} with {@code arch} null).
     */
    /**
     * The hasher's verdict on a tag that points elsewhere than {@code recorded} said: FAILED with
     * {@link FailureKind#TAG_MOVED}, keeping what the recorded status knew (repository, hash, commit,
     * inputs) and the digest the tag was found at, which is not served.
     */
    public static ImageStatus tagMoved(ImageStatus recorded, String foundDigest, Instant now) {
        return new ImageStatus(SCHEMA_VERSION, recorded.image(), recorded.repository(), recorded.versionHash(),
                recorded.commit(), recorded.inputs(), recorded.arch(), BuildState.FAILED, foundDigest, FailureKind.TAG_MOVED,
                "the tag " + recorded.image() + " points at " + foundDigest + ", not at " + recorded.digest()
                        + ", the digest the pipeline recorded: it was pushed over outside imagefarm; retry to rebuild it",
                null, null, null, null, recorded.requestEventId(), recorded.lastRequestedAt(), now);
    }

    public static ImageStatus deleted(String image, String repository, String versionHash, String arch, String digest,
                                      Instant now) {
        return new ImageStatus(SCHEMA_VERSION, image, repository, versionHash, arch, BuildState.DELETED, digest, null,
                null, null, null, null, null, null, null, now);
    }

    /** The hash-level record, keyed by the index ref: last use and, once assembled, the index digest. */
    public static ImageStatus index(String indexRef, String repository, String versionHash, BuildState state,
                                    String digest, Instant lastRequestedAt, Instant now) {
        return index(indexRef, repository, versionHash, state, digest, null, lastRequestedAt, now);
    }

    /** {@link #index(String, String, String, BuildState, String, Instant, Instant)} with the index's platforms. */
    public static ImageStatus index(String indexRef, String repository, String versionHash, BuildState state,
                                    String digest, Map<String, PlatformDigests> platforms, Instant lastRequestedAt,
                                    Instant now) {
        return index(indexRef, repository, versionHash, state, digest, platforms, null, null, lastRequestedAt, now);
    }

    /**
     * ... and the tag of the index's signature ({@code sha256-<hex>.sig}) with the commit it names, both
     * null when unsigned.
     */
    public static ImageStatus index(String indexRef, String repository, String versionHash, BuildState state,
                                    String digest, Map<String, PlatformDigests> platforms, String signature,
                                    String signedCommit, Instant lastRequestedAt, Instant now) {
        return new ImageStatus(SCHEMA_VERSION, indexRef, repository, versionHash, signedCommit, null, null, state, digest,
                null, null, null, null, null, null, null, lastRequestedAt, now, platforms, signature);
    }

    @JsonIgnore
    public boolean isIndex() {
        return arch == null;
    }

    private static String archOf(String platform) {
        int slash = platform.indexOf('/');
        return slash >= 0 ? platform.substring(slash + 1) : platform;
    }
}
