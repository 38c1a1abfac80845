package io.imagefarm.worker.context;

import io.imagefarm.git.RefusedSourceUrlException;
import io.imagefarm.git.SourceUrlRules;
import java.util.List;
import java.util.Set;

/**
 * Which {@code sourceUrl}s a worker fetches, whoever produced the event: git-fetch's
 * {@link SourceUrlRules}, the same rules the hasher refuses URLs by before they go into an event,
 * with this worker's schemes and patterns ({@code imagefarm.worker.context.*}).
 */
public final class SourcePolicy {

    private final SourceUrlRules rules;

    /** @throws IllegalArgumentException a configuration that could fetch nothing, or a pattern with user info */
    public SourcePolicy(Set<String> allowedSchemes, List<String> allowedPatterns) {
        try {
            this.rules = new SourceUrlRules(allowedSchemes, allowedPatterns);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("imagefarm.worker.context.allowed-schemes / allowed-url-patterns: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Throws {@link InvalidContextException} (permanent) unless the worker may fetch {@code sourceUrl}
     * for {@code repository}. The message shows the URL redacted.
     */
    public void check(String sourceUrl, String repository) {
        try {
            rules.check(sourceUrl, repository);
        } catch (RefusedSourceUrlException e) {
            throw new InvalidContextException(e.getMessage()
                    + " (imagefarm.worker.context.allowed-schemes, imagefarm.worker.context.allowed-url-patterns)");
        }
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
