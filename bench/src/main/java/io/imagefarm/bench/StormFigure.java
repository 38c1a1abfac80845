package io.imagefarm.bench;

import java.util.List;

/**
 * A storm of concurrent signed push webhooks for one new commit: how fast they were answered, and
 * what reached the work queues for its image, counted from the topics themselves.
 *
 * @param webhooks  webhooks sent at once
 * @param answered  of them answered 200
 * @param arches    per arch, in the order the hasher answered them
 * @param reference the same storm just before, for a new commit that keeps a known hash: the commit is
 *                  fetched as for any new commit, but nothing is looked up in the registry or published
 */
record StormFigure(int webhooks, int answered, Latency latency, List<ArchEvents> arches, Latency reference) {

    /** p50 and p99 of the webhooks answered 200. */
    record Latency(double p50Millis, double p99Millis) {
    }

    /**
     * @param image                     the per-arch image the commit's hash names
     * @param eventsOnTopic             {@code image-required} records for it (read_committed, whole topic)
     * @param publishedAnswers          answers that said {@code published: true} for this arch
     * @param millisAfterFirstWebhook   first such record's timestamp minus the send time of the storm's first webhook
     * @param millisAfterItsRequest     the same record's timestamp minus the send time of the webhook whose answer said
     *                                  it published it; null when no answer said so
     */
    record ArchEvents(String arch, String image, int eventsOnTopic, int publishedAnswers,
                      Long millisAfterFirstWebhook, Long millisAfterItsRequest) {
    }

    boolean exactlyOneEventPerArch() {
        return !arches.isEmpty() && arches.stream().allMatch(a -> a.eventsOnTopic() == 1);
    }
}
