package io.imagefarm.janitor.job;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.ManagedTag;
import java.time.Instant;
import java.util.List;

/**
 * Where a deletion is told: the status topic, so the hasher stops saying BUILT for an image that is
 * gone (its book, /wait, the index assembler and the usage history all follow the topic). Only
 * builder tags have statuses; cache tags and untagged manifests have none.
 */
@FunctionalInterface
public interface DeletionNotices {

    /** Called once per deleted (or already gone) manifest, with a DELETED status per builder tag it carried. */
    void deleted(List<ImageStatus> statuses);

    /** The DELETED statuses of a deletion's builder tags, keyed by image ref as the hasher keys them. */
    static List<ImageStatus> statusesOf(RepositoryTarget target, Deletion deletion, Instant now) {
        return deletion.tags().stream()
                .flatMap(tag -> ManagedTag.parse(tag).filter(ManagedTag::isBuilder).stream()
                        .map(m -> ImageStatus.deleted(target.repository().tag(tag).toString(), target.repository().path(),
                                m.hash(), m.arch(), deletion.digest(), now)))
                .toList();
    }
}
