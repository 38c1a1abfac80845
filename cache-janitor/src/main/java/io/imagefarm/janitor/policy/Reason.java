package io.imagefarm.janitor.policy;

/** Why a candidate is kept or deleted; each reason implies its action. */
public enum Reason {
    // ---- kept by retention
    /** One of the newest {@code keep-hashes} version hashes by push time. */
    NEWEST_HASH(Action.KEEP),
    /** CI requested the hash within {@code keep-used-days}. */
    RECENTLY_REQUESTED(Action.KEEP),
    /** No push time could be read; the janitor never guesses in favour of deleting. */
    PUSH_TIME_UNKNOWN(Action.KEEP),
    /** {@code buildcache-<arch>} of a configured arch. */
    CURRENT_CACHE(Action.KEEP),
    /** The shared {@code buildcache}, while no per-arch cache ref of a configured arch exists. */
    LEGACY_CACHE_ONLY_CACHE(Action.KEEP),
    /** The shared {@code buildcache}, with {@code delete-legacy-cache=false}. */
    LEGACY_CACHE_KEPT_BY_CONFIG(Action.KEEP),
    /** An untagged version, with {@code delete-untagged=false}. */
    UNTAGGED_KEPT_BY_CONFIG(Action.KEEP),
    /**
     * A {@code sha256-<hex>.sig} tag whose image no listed tag reaches but the registry has (OCI, a HEAD by
     * digest): pushed after the tag listing passed it, or pinned by digest only. Not an orphan; a later run decides.
     */
    SIGNED_IMAGE_UNLISTED(Action.KEEP),
    // ---- kept by a safety rule, overriding a delete
    /** Safety rule 3: pushed within the grace period. */
    WITHIN_GRACE_PERIOD(Action.KEEP),
    /** Safety rule 1: a kept tag (managed or not) points at the same digest. */
    SHARES_DIGEST_WITH_KEPT_TAG(Action.KEEP),
    /** Safety rule 2: a kept index points at this manifest. */
    CHILD_OF_KEPT_INDEX(Action.KEEP),
    /**
     * Safety rule 2, for provenance: an attestation manifest and the image it attests are kept together, so a
     * kept image keeps its provenance and an attestation is never left without its image.
     */
    ATTESTATION_KEPT_WITH_IMAGE(Action.KEEP),
    /** Safety rule 6: a {@code sha256-<hex>.sig} tag whose image ({@code sha256:<hex>}) is kept. */
    SIGNATURE_OF_KEPT_IMAGE(Action.KEEP),
    // ---- deleted
    /** Neither among the newest hashes nor recently requested. */
    STALE_HASH(Action.DELETE),
    /** {@code buildcache-<arch>} of an arch no longer configured. */
    ARCH_NOT_CONFIGURED(Action.DELETE),
    /** The shared {@code buildcache}, now that per-arch cache refs exist. */
    LEGACY_CACHE_SUPERSEDED(Action.DELETE),
    /** An untagged version older than the grace period: a manifest later pushes replaced. */
    UNTAGGED_SUPERSEDED(Action.DELETE),
    /** An untagged child of indexes that are all deleted. */
    ORPHANED_CHILD(Action.DELETE),
    /**
     * A {@code sha256-<hex>.sig} tag whose image no kept tag or index holds (the plan deletes it, or on an OCI
     * registry leaves it untagged and unreachable): it goes after its image.
     */
    SIGNED_IMAGE_DELETED(Action.DELETE),
    /** A {@code sha256-<hex>.sig} tag whose image is not in the repository (no tag, no index child). */
    ORPHANED_SIGNATURE(Action.DELETE);

    private final Action action;

    Reason(Action action) {
        this.action = action;
    }

    public Action action() {
        return action;
    }

    /** Keep or delete. */
    public enum Action {
        KEEP,
        DELETE
    }
}
