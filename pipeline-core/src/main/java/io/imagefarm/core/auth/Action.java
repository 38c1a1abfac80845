package io.imagefarm.core.auth;

/** The one table of who may do what: each action names the role it needs. */
public enum Action {
    /** Resolve a commit: may publish build events. */
    RESOLVE(Role.CI),
    /** Compute the version hash of posted files. */
    HASH(Role.CI),
    /** Read a build's status, or wait for it. */
    READ(Role.CI),
    /** Forget a remembered failure and build again. */
    RETRY(Role.ADMIN),
    /** Start a janitor run (it deletes). */
    JANITOR_RUN(Role.ADMIN),
    /** Read the janitor's last report. */
    JANITOR_READ(Role.CI);

    private final Role needs;

    Action(Role needs) {
        this.needs = needs;
    }

    public Role needs() {
        return needs;
    }
}
