package io.imagefarm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.image.Arch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;

/**
 * Signed GitHub push webhooks, many at once, as GitHub delivers a burst: each with its own
 * {@code X-GitHub-Delivery}, all released together once every sender is ready.
 */
final class WebhookStorm {

    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** One webhook of a storm: when it was sent (wall clock, comparable to Kafka timestamps), how it went. */
    record Answer(long sentEpochMillis, long latencyNanos, int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException("the hasher's answer is not JSON: " + LoadGenerator.abbreviate(body), e);
            }
        }
    }

    private final HttpClient http;
    private final URI webhookUrl;
    private final byte[] secret;
    private final String repository;
    private final String cloneUrl;

    WebhookStorm(HttpClient http, String hasherUrl, String secret, String repository, String cloneUrl) {
        this.http = http;
        this.webhookUrl = URI.create(hasherUrl + "/webhooks/github");
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.repository = repository;
        this.cloneUrl = cloneUrl;
    }

    /** {@code count} concurrent pushes of {@code commit}; returns every answer, in no particular order. */
    List<Answer> storm(int count, String commit) throws InterruptedException {
        byte[] body = pushBody(commit);
        String signature = sign(body);
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch go = new CountDownLatch(1);
        Answer[] answers = new Answer[count];
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int slot = i;
            HttpRequest request = HttpRequest.newBuilder(webhookUrl).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("X-GitHub-Event", "push")
                    .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                    .header("X-Hub-Signature-256", signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
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
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    answers[slot] = new Answer(sentMillis, System.nanoTime() - sent, r.statusCode(), r.body());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    answers[slot] = new Answer(sentMillis, System.nanoTime() - sent, -1, e.toString());
                }
            }, "bench-webhook-" + i);
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
     * The storm's figures: its answers against the reference storm's, and the commit's image-required
     * events read from each arch's topic.
     */
    static StormFigure figure(List<Answer> answers, List<Answer> reference, String kafkaBootstrap) {
        long firstSent = answers.stream().mapToLong(Answer::sentEpochMillis).min().orElse(0);
        JsonNode resolution = answers.stream().filter(a -> a.status() == 200).findFirst().map(Answer::json).orElseThrow(() ->
                new IllegalStateException("no webhook of the storm was answered 200; e.g. "
                        + (answers.isEmpty() ? "no answer" : answers.get(0).status() + " " + LoadGenerator.abbreviate(answers.get(0).body()))));
        List<StormFigure.ArchEvents> arches = new ArrayList<>();
        for (JsonNode arch : resolution.path("arches")) {
            String id = arch.path("arch").asText();
            String image = arch.path("image").asText();
            List<Long> events = ImageRequiredTopic.eventTimestamps(kafkaBootstrap, Arch.parse(id), image);
            int publishedAnswers = 0;
            Long publisherSent = null;
            for (Answer a : answers) {
                if (a.status() == 200 && publishedFor(a.json(), id)) {
                    publishedAnswers++;
                    publisherSent = publisherSent == null ? a.sentEpochMillis() : Math.min(publisherSent, a.sentEpochMillis());
                }
            }
            Long firstEvent = events.stream().min(Long::compare).orElse(null);
            arches.add(new StormFigure.ArchEvents(id, image, events.size(), publishedAnswers,
                    firstEvent == null ? null : firstEvent - firstSent,
                    firstEvent == null || publisherSent == null ? null : firstEvent - publisherSent));
        }
        int answered = (int) answers.stream().filter(a -> a.status() == 200).count();
        return new StormFigure(answers.size(), answered, latency(answers), arches, latency(reference));
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
