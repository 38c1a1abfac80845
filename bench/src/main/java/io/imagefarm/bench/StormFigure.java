package io.imagefarm.bench;

import java.util.List;

/**
 * Storms of concurrent signed push webhooks, each storm for one new commit (a new version hash), each
 * webhook on a new connection, once the webhook path is warm: how fast they were answered against the
 * same storms' shape on {@code /api/v1/hash}, and what reached the work queues for each storm's image,
 * counted from the topics themselves. One storm's p99 is its second slowest request, so the figure
 * merges several storms.
 *
 * @param storms     webhook storms measured
 * @param webhooks   webhooks sent, in all storms
 * @param answered   of them answered 200
 * @param latency    of the answered webhooks, all storms merged
 * @param perStorm   each webhook storm's own p50 and p99, in order
 * @param arches     per arch, over the storms' images
 * @param hash       the reference: as many concurrent {@code /api/v1/hash} requests, released together on new
 *                   connections, before each webhook storm and once more after the last one's builds
 * @param warmup     the warm-up storm before them, for a new commit of another new hash (the whole path: fetch,
 *                   registry, proposal, decision), whose image was built before the first measured storm
 * @param fetchOnly  the last of the first warm-up storms, for a new commit that keeps the known hash: fetched
 *                   as any new commit is, but nothing is looked up in the registry or requested
 */
record StormFigure(int storms, int webhooks, int answered, Latency latency, List<Latency> perStorm, List<ArchEvents> arches,
                   Reference hash, Latency warmup, Latency fetchOnly) {

    /** p50 and p99 of the requests answered 200. */
    record Latency(double p50Millis, double p99Millis) {
    }

    /** The same-shaped storms on another path: requests sent, answered 200, their latency (merged) and each storm's. */
    record Reference(int requests, int answered, Latency latency, List<Latency> perStorm) {
    }

    /**
     * @param events                    per storm's image: {@code image-required} records for it (read_committed, whole topic)
     * @param publishedAnswers          per storm's image: answers that said {@code published: true} for this arch
     * @param millisAfterFirstWebhook   median over the storms: the first record's timestamp minus the send time of the
     *                                  storm's first webhook; null when no storm has a record
     * @param millisAfterItsRequest     median over the storms: the same record's timestamp minus the send time of the
     *                                  webhook whose answer said it published it; null when no answer said so
     */
    record ArchEvents(String arch, List<Integer> events, List<Integer> publishedAnswers, Long millisAfterFirstWebhook,
                      Long millisAfterItsRequest) {
    }

    boolean exactlyOneEventPerArch() {
        return !arches.isEmpty() && arches.stream().allMatch(a -> a.events().size() == storms
                && a.events().stream().allMatch(n -> n == 1));
    }
}
