package io.imagefarm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** One JMH result (average time), in nanoseconds per operation, from JMH's {@code -rf json} file. */
record JmhFigure(String benchmark, double nanosPerOp, double errorNanos) {

    private static final ObjectMapper JSON = EventCodec.mapper();

    /** The result of the benchmark whose name ends with {@code name} (e.g. {@code VersionHashBench.hash}), if the file has it. */
    static Optional<JmhFigure> read(Path jmhJson, String name) {
        JsonNode results;
        try {
            results = JSON.readTree(Files.readString(jmhJson));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JMH results " + jmhJson, e);
        }
        for (JsonNode r : results) {
            String benchmark = r.path("benchmark").asText();
            if (benchmark.endsWith(name)) {
                JsonNode metric = r.path("primaryMetric");
                double toNanos = nanosPer(metric.path("scoreUnit").asText(), jmhJson);
                return Optional.of(new JmhFigure(benchmark, metric.path("score").asDouble() * toNanos,
                        metric.path("scoreError").asDouble() * toNanos));
            }
        }
        return Optional.empty();
    }

    private static double nanosPer(String unit, Path file) {
        return switch (unit) {
            case "ns/op" -> 1;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> throw new IllegalArgumentException(file + ": unit '" + unit + "' is not a time per operation (run JMH in AverageTime mode)");
        };
    }
}
