package io.imagefarm.core.event;

/**
 * The state machine of one image ref on the status topic (docs/status-state-machine.md). Statuses are
 * applied in topic order; this says which step may follow which, so a record that would move an
 * image backwards (a zombie worker's BUILDING after the image was BUILT, say) is refused, logged and
 * counted instead of silently winning.
 *
 * <pre>
 *   (none) ──hasher──▶ REQUESTED ──worker──▶ BUILDING ──worker──▶ BUILT | FAILED | EXISTS
 *   any ──hasher──▶ REQUESTED (a new request) or EXISTS (found in the registry)
 *   BUILDING ──worker──▶ REQUESTED (a transient failure: the event waits in the retry topic)
 *   any ──worker──▶ BUILT | FAILED | EXISTS (a redelivered event ends where the registry is)
 *   any ──janitor──▶ DELETED
 *   BUILDING only after REQUESTED or BUILDING (heartbeats), or as the first record of a compacted key
 * </pre>
 * The index ref ({@code builder-<hash>}) is the hasher's alone (usage stamps, assembly), and the
 * janitor's DELETED: any step is allowed there.
 */
public final class StatusTransitions {

    private StatusTransitions() {
    }

    /** @param previous the image's current status, or null when none is known */
    public static boolean allowed(ImageStatus previous, ImageStatus next) {
        if (previous == null || next.isIndex()) {
            return true;
        }
        if (next.state() == BuildState.BUILDING) {
            return previous.state() == BuildState.REQUESTED || previous.state() == BuildState.BUILDING;
        }
        return true;
    }
}
