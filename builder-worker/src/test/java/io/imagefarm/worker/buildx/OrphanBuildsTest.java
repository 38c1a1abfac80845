package io.imagefarm.worker.buildx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes: one marked as a build of this work dir, one of another work dir. */
class OrphanBuildsTest {

    @TempDir
    Path workDir;
    @TempDir
    Path otherWorkDir;

    Process ours;
    Process theirs;

    static Process sleeper(Path workDir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "300");
        pb.environment().put("DOCKER_CONFIG", workDir.resolve("job-123/docker-config").toString());
        return pb.start();
    }

    @AfterEach
    void stop() {
        if (ours != null) {
            ours.destroyForcibly();
        }
        if (theirs != null) {
            theirs.destroyForcibly();
        }
    }

    @Test
    void aBuildThePreviousLifeLeftIsKilledAndAnotherWorkersIsNot() throws Exception {
        ours = sleeper(workDir);
        theirs = sleeper(otherWorkDir);

        assertThat(OrphanBuilds.find(Path.of("/proc"), workDir)).containsExactly(ours.pid());
        assertThat(OrphanBuilds.killLeftovers(workDir)).containsExactly(ours.pid());

        await().atMost(Duration.ofSeconds(10)).until(() -> !ours.isAlive());
        assertThat(theirs.isAlive()).isTrue();
    }
}
