package io.imagefarm.worker.context;

/**
 * How much of a repository a worker writes as a build context.
 *
 * @param maxBytes total file content of the context; larger contexts fail with CONTEXT_TOO_LARGE
 */
public record ContextLimits(long maxBytes) {

    public ContextLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("context size limit must be positive: " + maxBytes);
        }
    }
}
