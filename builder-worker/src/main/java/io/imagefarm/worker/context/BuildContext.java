package io.imagefarm.worker.context;

import java.nio.file.Path;

/**
 * A build context on local disk, checked: {@link #dockerfile} is a regular file inside {@link #root},
 * reached without {@code ..} or symlinks leading out.
 *
 * @param sizeBytes bytes of file content written, at most the configured limit
 */
public record BuildContext(Path root, Path dockerfile, long sizeBytes, int files) {
}
