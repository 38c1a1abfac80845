package io.imagefarm.core.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

    @Test
    void namedThreadsAreDaemonsThatAllCarryTheName() {
        ThreadFactory factory = DaemonThreads.named("farm-watch");

        Thread a = factory.newThread(() -> { });
        Thread b = factory.newThread(() -> { });

        assertThat(a.isDaemon()).isTrue();
        assertThat(b.isDaemon()).isTrue();
        assertThat(a.getName()).isEqualTo("farm-watch");
        assertThat(b.getName()).isEqualTo("farm-watch");
    }

    @Test
    void numberedThreadsOfOnePoolCountFromOne() {
        ThreadFactory pool = DaemonThreads.numbered("registry-lookup");

        assertThat(pool.newThread(() -> { }).getName()).isEqualTo("registry-lookup-1");
        assertThat(pool.newThread(() -> { }).getName()).isEqualTo("registry-lookup-2");
        assertThat(DaemonThreads.numbered("registry-lookup").newThread(() -> { }).getName())
                .as("another pool counts on its own").isEqualTo("registry-lookup-1");
    }

    @Test
    void aThreadRunsItsTaskOnceStartedAndNotBefore() throws Exception {
        boolean[] ran = {false};
        Thread t = DaemonThreads.thread("janitor-lease", () -> ran[0] = true);

        assertThat(t.getState()).isEqualTo(Thread.State.NEW);
        assertThat(t.isDaemon()).isTrue();
        t.start();
        t.join(10_000);
        assertThat(ran[0]).isTrue();
    }
}
