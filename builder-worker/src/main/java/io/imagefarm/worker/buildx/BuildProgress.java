package io.imagefarm.worker.buildx;

import io.imagefarm.core.event.EventCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads buildx's {@code --progress=rawjson} stream (BuildKit SolveStatus objects, pretty-printed, one
 * after another; plain text lines such as the final {@code ERROR:} in between): which Dockerfile steps
 * ran, how long each took, which came from a cache, and the last lines of output for a FAILED event.
 */
public final class BuildProgress {

    /** A Dockerfile instruction vertex: {@code [2/5] RUN ...} or {@code [stage-1 2/5] COPY ...}. */
    private static final Pattern STEP = Pattern.compile("^\\[(?:[^\\]\\s]+ )?\\d+/\\d+\\] .*");
    private static final ObjectMapper JSON = EventCodec.mapper();

    /** One vertex of the build graph as last reported. */
    private record Vertex(String name, Instant started, Instant completed, boolean cached, String error) {

        boolean isStep() {
            return STEP.matcher(name).matches();
        }

        Duration duration() {
            return started == null || completed == null ? Duration.ZERO : Duration.between(started, completed);
        }
    }

    private final int tailLines;
    private final Consumer<String> log;
    private final Map<String, Vertex> vertices = new LinkedHashMap<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final StringBuilder object = new StringBuilder();
    private final List<String> errors = new ArrayList<>();
    private boolean inObject;

    /**
     * @param tailLines how many output lines to keep for {@link #tail()}
     * @param log       receives one line per completed vertex (name, duration, cached)
     */
    public BuildProgress(int tailLines, Consumer<String> log) {
        this.tailLines = tailLines;
        this.log = log;
    }

    /** Feeds one line of buildx's stderr. */
    public void accept(String line) {
        if (!inObject && line.equals("{")) {
            inObject = true;
            object.setLength(0);
        }
        if (inObject) {
            object.append(line).append('\n');
            if (line.equals("}")) {
                inObject = false;
                parse(object.toString());
            }
            return;
        }
        if (!line.isBlank()) {
            keep(line);
            errors.add(line);
        }
    }

    private void parse(String text) {
        JsonNode status;
        try {
            status = JSON.readTree(text);
        } catch (IOException e) {
            keep(text.strip());
            return;
        }
        for (JsonNode v : status.path("vertexes")) {
            String digest = v.path("digest").asText();
            Vertex before = vertices.get(digest);
            Vertex now = new Vertex(v.path("name").asText(before != null ? before.name() : ""),
                    instant(v, "started", before != null ? before.started() : null),
                    instant(v, "completed", before != null ? before.completed() : null),
                    v.path("cached").asBoolean(false) || (before != null && before.cached()),
                    v.hasNonNull("error") ? v.get("error").asText() : before != null ? before.error() : null);
            vertices.put(digest, now);
            if (now.completed() != null && (before == null || before.completed() == null)) {
                log.accept(now.name() + " " + (now.cached() ? "CACHED" : now.duration().toMillis() + " ms")
                        + (now.error() != null ? " ERROR " + now.error() : ""));
            }
            if (now.error() != null && (before == null || before.error() == null)) {
                keep(now.name() + ": " + now.error());
                errors.add(now.name() + ": " + now.error());
            }
        }
        for (JsonNode l : status.path("logs")) {
            String data = new String(Base64.getDecoder().decode(l.path("data").asText("")), StandardCharsets.UTF_8);
            for (String line : data.split("\r?\n")) {
                if (!line.isBlank()) {
                    keep(line);
                }
            }
        }
    }

    private void keep(String line) {
        tail.addLast(line);
        while (tail.size() > tailLines) {
            tail.removeFirst();
        }
    }

    private static Instant instant(JsonNode v, String field, Instant fallback) {
        return v.hasNonNull(field) ? Instant.parse(v.get(field).asText()) : fallback;
    }

    private List<Vertex> steps() {
        return vertices.values().stream().filter(Vertex::isStep).toList();
    }

    public int totalSteps() {
        return steps().size();
    }

    public int cachedSteps() {
        return (int) steps().stream().filter(Vertex::cached).count();
    }

    /** Time spent in the exporters: writing and pushing the image, exporting the registry cache. */
    public Duration exportTime() {
        return vertices.values().stream().filter(v -> v.name().startsWith("exporting") || v.name().startsWith("pushing"))
                .map(Vertex::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * What buildx itself said went wrong: its plain-text lines and the vertices' errors, without the
     * RUN steps' own output (a program printing "connection refused" must not make a failure transient).
     */
    public String errorText() {
        return String.join("\n", errors);
    }

    public String tail() {
        return String.join("\n", new ArrayList<>(tail));
    }
}
