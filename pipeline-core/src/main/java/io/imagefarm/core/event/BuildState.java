package io.imagefarm.core.event;

/** The states an image moves through on the status topic. */
public enum BuildState {
    /** The hasher asked the farm for it. */
    REQUESTED,
    /** A worker started building it. */
    BUILDING,
    /** Pushed; the status carries the digest. */
    BUILT,
    /** Failed for good; the status carries the reason. */
    FAILED,
    /** Was already in the registry; nothing was built. */
    EXISTS,
    /**
     * The cache-janitor deleted the tag: the registry no longer has it, whatever an earlier status said.
     * A later resolve requests it again (and the hasher pushes the index again).
     */
    DELETED;

    /** BUILT or EXISTS: a CI job can use the image. */
    public boolean available() {
        return this == BUILT || this == EXISTS;
    }

    /** REQUESTED or BUILDING: someone is on it. */
    public boolean inFlight() {
        return this == REQUESTED || this == BUILDING;
    }
}
