package io.imagefarm.core.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The services' own background threads (schedulers, probes, publishers): daemon threads with a name
 * that says what they do in a thread dump. Daemon, so that a stuck call on one never holds the JVM past
 * shutdown; each owner stops its work in its own close or shutdown hook.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Threads all named {@code name}: for an executor of one thread, or of short-lived probe threads. */
    public static ThreadFactory named(String name) {
        return task -> thread(name, task);
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, ...: for a pool of several. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> thread(prefix + "-" + count.incrementAndGet(), task);
    }

    /** A daemon thread named {@code name} that runs {@code task}, not yet started. */
    public static Thread thread(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
