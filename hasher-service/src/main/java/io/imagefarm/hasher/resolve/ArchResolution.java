package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.BuildState;
/**
 * One arch's answer.
 *
 * @param published true when this request published a build event for it
 * @param deduplicated true when an in-flight request for the same image made this one publish nothing
 */
public record ArchResolution(String arch, String image, String cache, BuildState state, String digest,
                             boolean published, boolean deduplicated) {
}
