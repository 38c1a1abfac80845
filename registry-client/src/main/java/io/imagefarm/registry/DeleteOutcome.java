package io.imagefarm.registry;

/** A delete either removed the manifest or found it already gone: re-runs are idempotent. */
public enum DeleteOutcome {
    DELETED,
    ALREADY_GONE
}
