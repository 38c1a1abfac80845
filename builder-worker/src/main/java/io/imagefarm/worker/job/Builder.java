package io.imagefarm.worker.job;

/**
 * The build backend port: a {@link BuildRequest} in, a {@link BuildOutcome} out. Today
 * {@link BuildxBuilder} drives the buildx CLI; a BuildKit gRPC/session backend can replace it
 * without touching {@link BuildJob}.
 *
 * <p>An interrupted calling thread means "abandon": the implementation stops the build and throws
 * {@link BuildAbandonedException}.
 */
public interface Builder {

    BuildOutcome build(BuildRequest request);
}
