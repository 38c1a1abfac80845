package io.imagefarm.hasher.resolve;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.core.event.FailureKind;

import io.imagefarm.core.event.BuildState;
/**
 * One arch's answer.
 *
 * @param published true when this request published a build event for it
 * @param deduplicated true when an in-flight request for the same image made this one publish nothing
 * @param failure      when a permanent failure is remembered: its kind, and {@code reason} and {@code logTail}
 * @param pending      true when the answer came before the decision (a webhook's): a request for the image is
 *                     durable on the requests topic, and {@code published} says it was this one's proposal,
 *                     which the decider turns into the build event unless another replica's came first;
 *                     null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArchResolution(String arch, String image, String cache, BuildState state, String digest,
                             boolean published, boolean deduplicated, FailureKind failure, String reason, String logTail,
                             Boolean pending) {

    public ArchResolution(String arch, String image, String cache, BuildState state, String digest,
                          boolean published, boolean deduplicated, FailureKind failure, String reason, String logTail) {
        this(arch, image, cache, state, digest, published, deduplicated, failure, reason, logTail, null);
    }

    public ArchResolution(String arch, String image, String cache, BuildState state, String digest,
                          boolean published, boolean deduplicated) {
        this(arch, image, cache, state, digest, published, deduplicated, null, null, null);
    }
}
