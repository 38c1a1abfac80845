package io.imagefarm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.image.Arch;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;

/**
 * Storms: many requests at once, each on a new connection of its own, all released together once every
 * sender is ready. Signed GitHub push webhooks as GitHub delivers a burst (each with its own
 * {@code X-GitHub-Delivery}), and the same shape on {@code /api/v1/hash}: the storm's reference.
 */
final class WebhookStorm {

    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** One request of a storm: when it was sent (wall clock, comparable to Kafka timestamps), how it went. */
    record Answer(long sentEpochMillis, long latencyNanos, int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException("the hasher's answer is not JSON: " + LoadGenerator.abbreviate(body), e);
            }
        }
    }

    private final NewConnectionHttp http;
    private final byte[] secret;
    private final String repository;
    private final String cloneUrl;

    WebhookStorm(NewConnectionHttp http, String secret, String repository, String cloneUrl) {
        this.http = http;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.repository = repository;
        this.cloneUrl = cloneUrl;
    }

    /** {@code count} concurrent signed pushes of {@code commit}; returns every answer, in no particular order. */
    List<Answer> storm(int count, String commit) throws InterruptedException {
        byte[] body = pushBody(commit);
        String signature = sign(body);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(http.request("POST", "/webhooks/github", Map.of(
                    "Content-Type", "application/json",
                    "X-GitHub-Event", "push",
                    "X-GitHub-Delivery", UUID.randomUUID().toString(),
                    "X-Hub-Signature-256", signature), body));
        }
        return release(requests);
    }

    /** {@code count} concurrent posts of the same request (e.g. {@code /api/v1/hash}): the storm's shape on another path. */
    List<Answer> storm(int count, String path, Map<String, String> headers, byte[] body) throws InterruptedException {
        byte[] request = http.request("POST", path, headers, body);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(request);
        }
        return release(requests);
    }

    /** One thread per request, each waiting at the start line; then all at once, each on a new connection. */
    private List<Answer> release(List<byte[]> requests) throws InterruptedException {
        int count = requests.size();
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch go = new CountDownLatch(1);
        Answer[] answers = new Answer[count];
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int slot = i;
            byte[] request = requests.get(i);
            Thread sender = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long sentMillis = System.currentTimeMillis();
                long sent = System.nanoTime();
                try {
                    HttpCall.Answer r = http.exchange(request);
                    answers[slot] = new Answer(sentMillis, System.nanoTime() - sent, r.status(), r.body());
                } catch (Exception e) {
                    answers[slot] = new Answer(sentMillis, System.nanoTime() - sent, -1, e.toString());
                }
            }, "bench-storm-" + i);
            sender.start();
            senders.add(sender);
        }
        ready.await();
        go.countDown();
        for (Thread t : senders) {
            t.join();
        }
        List<Answer> all = new ArrayList<>();
        for (Answer a : answers) {
            if (a != null) {
                all.add(a);
            }
        }
        return all;
    }

    /**
     * The storms' figures: their answers against the same-shaped storms on {@code /hash} (the reference the
     * goal compares with) and the warm-up storms, and each storm's image-required events read from each
     * arch's topic.
     *
     * @param storms     each webhook storm's answers, in order
     * @param hashStorms each {@code /api/v1/hash} storm's answers
     * @param warmup     the warm-up storm for a new commit of another new hash, just before
     * @param fetchOnly  the last warm-up storm for a new commit that keeps the known hash
     */
    static StormFigure figure(List<List<Answer>> storms, List<List<Answer>> hashStorms, List<Answer> warmup,
                              List<Answer> fetchOnly, String kafkaBootstrap) {
        // per storm: its resolution (the first answer 200), which names the per-arch images
        List<JsonNode> resolutions = new ArrayList<>();
        for (List<Answer> answers : storms) {
            resolutions.add(answers.stream().filter(a -> a.status() == 200).findFirst().map(Answer::json).orElseThrow(() ->
                    new IllegalStateException("no webhook of a storm was answered 200; e.g. " + (answers.isEmpty() ? "no answer"
                            : answers.get(0).status() + " " + LoadGenerator.abbreviate(answers.get(0).body())))));
        }
        List<StormFigure.ArchEvents> arches = new ArrayList<>();
        for (JsonNode first : resolutions.get(0).path("arches")) {
            String id = first.path("arch").asText();
            List<String> images = resolutions.stream().map(r -> imageOf(r, id)).toList();
            Map<String, List<Long>> events = ImageRequiredTopic.eventTimestamps(kafkaBootstrap, Arch.parse(id), images);
            List<Integer> counts = new ArrayList<>();
            List<Integer> published = new ArrayList<>();
            List<Long> afterFirst = new ArrayList<>();
            List<Long> afterOwn = new ArrayList<>();
            for (int i = 0; i < storms.size(); i++) {
                List<Answer> answers = storms.get(i);
                List<Long> mine = events.getOrDefault(images.get(i), List.of());
                counts.add(mine.size());
                long firstSent = answers.stream().mapToLong(Answer::sentEpochMillis).min().orElse(0);
                int publishedAnswers = 0;
                Long publisherSent = null;
                for (Answer a : answers) {
                    if (a.status() == 200 && publishedFor(a.json(), id)) {
                        publishedAnswers++;
                        publisherSent = publisherSent == null ? a.sentEpochMillis() : Math.min(publisherSent, a.sentEpochMillis());
                    }
                }
                published.add(publishedAnswers);
                Long firstEvent = mine.stream().min(Long::compare).orElse(null);
                if (firstEvent != null) {
                    afterFirst.add(firstEvent - firstSent);
                    if (publisherSent != null) {
                        afterOwn.add(firstEvent - publisherSent);
                    }
                }
            }
            arches.add(new StormFigure.ArchEvents(id, counts, published, median(afterFirst), median(afterOwn)));
        }
        List<Answer> all = storms.stream().flatMap(List::stream).toList();
        List<Answer> allHash = hashStorms.stream().flatMap(List::stream).toList();
        return new StormFigure(storms.size(), all.size(), (int) all.stream().filter(a -> a.status() == 200).count(), latency(all),
                storms.stream().map(WebhookStorm::latency).toList(),
                arches,
                new StormFigure.Reference(allHash.size(), (int) allHash.stream().filter(a -> a.status() == 200).count(), latency(allHash),
                        hashStorms.stream().map(WebhookStorm::latency).toList()),
                latency(warmup), latency(fetchOnly));
    }

    private static String imageOf(JsonNode resolution, String arch) {
        for (JsonNode a : resolution.path("arches")) {
            if (a.path("arch").asText().equals(arch)) {
                return a.path("image").asText();
            }
        }
        throw new IllegalStateException("the answer names no " + arch + " image: " + resolution);
    }

    private static Long median(List<Long> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** p50 and p99 of the answers that were 200. */
    static StormFigure.Latency latency(List<Answer> answers) {
        Histogram latencies = new Histogram(TIMEOUT.toNanos() / 1000, 3);
        for (Answer a : answers) {
            if (a.status() == 200) {
                latencies.recordValue(Math.min(a.latencyNanos() / 1000, latencies.getHighestTrackableValue()));
            }
        }
        return new StormFigure.Latency(latencies.getValueAtPercentile(50) / 1000.0, latencies.getValueAtPercentile(99) / 1000.0);
    }

    private static boolean publishedFor(JsonNode resolution, String arch) {
        for (JsonNode a : resolution.path("arches")) {
            if (a.path("arch").asText().equals(arch)) {
                return a.path("published").asBoolean(false);
            }
        }
        return false;
    }

    private byte[] pushBody(String commit) {
        ObjectNode push = JSON.createObjectNode();
        push.put("ref", "refs/heads/main");
        push.put("after", commit);
        push.put("deleted", false);
        push.putObject("repository").put("full_name", repository).put("clone_url", cloneUrl);
        return push.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }
}
