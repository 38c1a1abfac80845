package io.imagefarm.e2e;

import org.awaitility.Awaitility;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets a Dockerfile tell the test that its build reached a step: {@code RUN wget -q -O- URL/NAME}
 * (builds use the host network). A fault can then be injected at a known point of a real build
 * instead of after a guessed delay.
 */
final class SignalServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, List<Instant>> arrivals = new ConcurrentHashMap<>();

    SignalServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/signal/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/signal/".length());
            arrivals.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(Instant.now());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    /** A Dockerfile step that signals {@code name}, then keeps the build busy for {@code seconds}. */
    String runStep(String name, int seconds) {
        return "RUN wget -q -O /dev/null http://127.0.0.1:" + server.getAddress().getPort() + "/signal/" + name
                + "; sleep " + seconds + "\n";
    }

    /** Waits for the first arrival of {@code name}. */
    Instant await(String name, Duration atMost) {
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> arrivals.containsKey(name));
        return arrivals.get(name).get(0);
    }

    int count(String name) {
        return arrivals.getOrDefault(name, List.of()).size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
