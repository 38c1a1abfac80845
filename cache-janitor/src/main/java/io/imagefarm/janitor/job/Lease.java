package io.imagefarm.janitor.job;

/**
 * Whether this replica may run: only one replica holds the lease at a time. A run asks before it starts
 * and again before every deletion, so a replica that loses it stops at once.
 */
public interface Lease {

    /** For a single replica with no group to join: always held. */
    Lease SINGLE_REPLICA = new Lease() {
        @Override
        public boolean held() {
            return true;
        }

        @Override
        public String describe() {
            return "disabled (single replica)";
        }
    };

    boolean held();

    /** For the lease API and logs. */
    String describe();
}
