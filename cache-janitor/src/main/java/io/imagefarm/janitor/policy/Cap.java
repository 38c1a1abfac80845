package io.imagefarm.janitor.policy;

/**
 * Safety rule 4, the deletion cap: a plan that would delete more than {@code maxDeletions} managed tags,
 * or more than {@code maxFraction} of them, is not applied without an explicit force.
 */
public record Cap(int tagsToDelete, int managedTags, int maxDeletions, double maxFraction, boolean exceeded,
                  String message) {

    static Cap check(int tagsToDelete, int managedTags, int maxDeletions, double maxFraction) {
        double fraction = managedTags == 0 ? 0 : (double) tagsToDelete / managedTags;
        boolean overCount = tagsToDelete > maxDeletions;
        boolean overFraction = fraction > maxFraction;
        String message = null;
        if (overCount || overFraction) {
            message = String.format(java.util.Locale.ROOT,
                    "deletion cap exceeded: the plan deletes %d of %d managed tags (%.0f%%); the cap is %d tags and %.0f%%."
                            + " Not applied; run again with force=true if the plan is right", tagsToDelete, managedTags,
                    fraction * 100, maxDeletions, maxFraction * 100);
        }
        return new Cap(tagsToDelete, managedTags, maxDeletions, maxFraction, overCount || overFraction, message);
    }
}
