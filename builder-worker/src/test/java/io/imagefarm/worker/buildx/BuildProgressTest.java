package io.imagefarm.worker.buildx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildProgressTest {

    private static String status(String json) {
        return json.strip() + "\n";
    }

    private static void feed(BuildProgress progress, String text) {
        for (String line : text.split("\n")) {
            progress.accept(line);
        }
    }

    @Test
    void countsDockerfileStepsAndCachedOnesAndLogsTimings() {
        List<String> logged = new ArrayList<>();
        BuildProgress progress = new BuildProgress(10, logged::add);
        feed(progress, """
                {
                  "vertexes": [
                    {"digest": "sha256:a", "name": "[internal] load build definition from Dockerfile",
                     "started": "2026-01-01T00:00:00Z", "completed": "2026-01-01T00:00:01Z"},
                    {"digest": "sha256:b", "name": "[1/3] FROM 127.0.0.1:5000/imagefarm/base:busybox",
                     "started": "2026-01-01T00:00:01Z"}
                  ]
                }
                {
                  "vertexes": [
                    {"digest": "sha256:b", "name": "[1/3] FROM 127.0.0.1:5000/imagefarm/base:busybox",
                     "started": "2026-01-01T00:00:01Z", "completed": "2026-01-01T00:00:02Z", "cached": true},
                    {"digest": "sha256:c", "name": "[2/3] RUN echo one", "cached": true,
                     "started": "2026-01-01T00:00:02Z", "completed": "2026-01-01T00:00:02Z"},
                    {"digest": "sha256:d", "name": "[3/3] RUN echo two",
                     "started": "2026-01-01T00:00:02Z", "completed": "2026-01-01T00:00:05Z"},
                    {"digest": "sha256:e", "name": "exporting to image",
                     "started": "2026-01-01T00:00:05Z", "completed": "2026-01-01T00:00:07Z"}
                  ],
                  "logs": [{"vertex": "sha256:d", "stream": 1, "data": "%s"}]
                }
                """.formatted(Base64.getEncoder().encodeToString("two\n".getBytes(StandardCharsets.UTF_8))));

        assertThat(progress.totalSteps()).isEqualTo(3);
        assertThat(progress.cachedSteps()).isEqualTo(2);
        assertThat(progress.exportTime()).hasSeconds(2);
        assertThat(progress.tail()).isEqualTo("two");
        assertThat(logged).contains("[3/3] RUN echo two 3000 ms", "[2/3] RUN echo one CACHED");
    }

    @Test
    void keepsTheLastLinesAndBuildxErrorsForTheFailedEvent() {
        BuildProgress progress = new BuildProgress(3, line -> { });
        feed(progress, """
                {
                  "vertexes": [
                    {"digest": "sha256:d", "name": "[2/2] RUN exit 3", "started": "2026-01-01T00:00:02Z",
                     "completed": "2026-01-01T00:00:03Z", "error": "process did not complete successfully: exit code: 3"}
                  ],
                  "logs": [{"vertex": "sha256:d", "stream": 2, "data": "%s"}]
                }
                ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3
                """.formatted(Base64.getEncoder().encodeToString("l1\nl2\nl3\n".getBytes(StandardCharsets.UTF_8))));

        String[] tail = progress.tail().split("\n");
        assertThat(tail).hasSize(3);
        assertThat(tail[2]).startsWith("ERROR: failed to solve");
        assertThat(progress.errorText()).contains("[2/2] RUN exit 3: process did not complete successfully")
                .contains("ERROR: failed to solve").doesNotContain("l1");
    }
}
