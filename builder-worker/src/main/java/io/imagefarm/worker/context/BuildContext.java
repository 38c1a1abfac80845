package io.imagefarm.worker.context;

import io.imagefarm.core.hash.RepositoryFiles;
import java.nio.file.Path;

/**
 * A build context on local disk, checked: {@link #dockerfile} is a regular file inside {@link #root},
 * reached without {@code ..} or symlinks leading out.
 *
 * @param commit     the commit the files were written from (full SHA-1)
 * @param hashInputs the version hash inputs at the repository root of {@link #commit}, read from git as
 *                   the hasher reads them (absent ones stay absent)
 * @param sizeBytes  bytes of file content written, at most the configured limit
 */
public record BuildContext(String commit, RepositoryFiles hashInputs, Path root, Path dockerfile, long sizeBytes,
                           int files) {
}
