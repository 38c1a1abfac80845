package io.imagefarm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load generator with a fixed concurrency, like {@code ab -c N}: N threads, each sending
 * its next request as soon as the previous one is answered. A run is a warm-up window, discarded, then
 * a measured window with no gap between them, so the server sees one steady load. A request counts if
 * it starts and ends inside the measured window; latencies go into an HdrHistogram (microseconds).
 * Bounded in time, and in count by {@link #MAX_REQUESTS_PER_CLIENT}. How a request travels (kept-alive
 * connections, or a new connection each) is the {@link HttpCall}'s business.
 */
final class LoadGenerator {

    static final long MAX_REQUESTS_PER_CLIENT = 1_000_000;
    private static final long HIGHEST_MICROS = Duration.ofMinutes(2).toNanos() / 1000;

    /** The merged figures of several runs of one endpoint at one concurrency. */
    static final class Accumulator {
        private final Histogram latencies = newHistogram();
        private long requests;
        private long errors;
        private double seconds;

        void add(Run run) {
            latencies.add(run.latencies);
            requests += run.requests;
            errors += run.errors;
            seconds += run.seconds;
        }

        LoadFigure figure() {
            return new LoadFigure(requests, errors, seconds,
                    latencies.getValueAtPercentile(50) / 1000.0, latencies.getValueAtPercentile(99) / 1000.0);
        }
    }

    record Run(long requests, long errors, double seconds, Histogram latencies, String lastError) {
    }

    static Run run(int concurrency, Duration warmup, Duration measure, HttpCall request) throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long measureTo = measureFrom + measure.toNanos();
        AtomicLong errors = new AtomicLong();
        List<Histogram> perClient = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        String[] lastError = new String[1];
        for (int i = 0; i < concurrency; i++) {
            Histogram mine = newHistogram();
            perClient.add(mine);
            Thread client = new Thread(() -> {
                for (long n = 0; n < MAX_REQUESTS_PER_CLIENT; n++) {
                    long sent = System.nanoTime();
                    if (sent >= measureTo) {
                        return;
                    }
                    boolean ok;
                    String error = null;
                    try {
                        HttpCall.Answer r = request.call();
                        ok = r.status() / 100 == 2;
                        if (!ok) {
                            error = "HTTP " + r.status() + " " + abbreviate(r.body());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        ok = false;
                        error = e.toString();
                    }
                    long answered = System.nanoTime();
                    if (sent >= measureFrom && answered <= measureTo) {
                        if (ok) {
                            mine.recordValue(Math.min((answered - sent) / 1000, HIGHEST_MICROS));
                        } else {
                            errors.incrementAndGet();
                            synchronized (lastError) {
                                lastError[0] = error;
                            }
                        }
                    }
                }
            }, "bench-client-" + i);
            client.start();
            clients.add(client);
        }
        for (Thread t : clients) {
            t.join();
        }
        Histogram all = newHistogram();
        perClient.forEach(all::add);
        return new Run(all.getTotalCount(), errors.get(), measure.toNanos() / 1e9, all, lastError[0]);
    }

    private static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
