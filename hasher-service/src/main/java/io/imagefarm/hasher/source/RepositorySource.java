package io.imagefarm.hasher.source;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;

/** Port: the five hash inputs of a repository at one commit. Closed on shutdown (an HTTP client, say). */
public interface RepositorySource extends AutoCloseable {

    /**
     * @throws SourceNotFoundException    the repository or the commit does not exist (permanent)
     * @throws SourceUnavailableException the source could not be reached (transient)
     */
    RepositoryFiles fetch(SourceRepository repository, String sourceUrl, String commit);

    @Override
    default void close() {
    }
}
