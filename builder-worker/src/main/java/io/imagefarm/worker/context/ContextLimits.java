package io.imagefarm.worker.context;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a worker accepts as a build context source.
 *
 * @param maxBytes       total file content of the context; larger contexts fail with CONTEXT_TOO_LARGE
 * @param allowedSchemes URL schemes of {@code sourceUrl} the worker fetches from (e.g. https; file only in tests)
 */
public record ContextLimits(long maxBytes, Set<String> allowedSchemes) {

    public ContextLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("context size limit must be positive: " + maxBytes);
        }
        allowedSchemes = allowedSchemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
