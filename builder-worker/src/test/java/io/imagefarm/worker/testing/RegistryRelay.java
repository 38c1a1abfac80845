package io.imagefarm.worker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay on a loopback port of its own in front of a registry: the worker's registry in the ITs.
 * {@link #down()} makes the registry unreachable (connections refused, open ones cut), {@link #up()}
 * brings it back on the same port with the same storage behind it, as a network outage would.
 */
public final class RegistryRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "registry-relay");
        t.setDaemon(true);
        return t;
    });
    private ServerSocket server;

    private RegistryRelay(InetSocketAddress target) {
        this.target = target;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Relays 127.0.0.1:&lt;own port&gt; to {@code targetHostPort} (e.g. {@code 127.0.0.1:5000}). */
    public static RegistryRelay start(String targetHostPort) {
        int colon = targetHostPort.lastIndexOf(':');
        RegistryRelay relay = new RegistryRelay(new InetSocketAddress(targetHostPort.substring(0, colon),
                Integer.parseInt(targetHostPort.substring(colon + 1))));
        relay.up();
        return relay;
    }

    /** {@code 127.0.0.1:<port>}: the registry part of image references pushed through the relay. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public synchronized void up() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = s;
            Thread acceptor = new Thread(() -> accept(s), "registry-relay-accept-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host(), e);
        }
    }

    public synchronized void down() {
        if (server == null) {
            return;
        }
        closeQuietly(server);
        server = null;
        open.forEach(RegistryRelay::closeQuietly);
        open.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // closed by down()
            }
            Socket upstream;
            try {
                upstream = new Socket(target.getAddress(), target.getPort());
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pumps.execute(() -> pump(client, upstream));
            pumps.execute(() -> pump(upstream, client));
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed or was cut
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing what is already broken
        }
    }

    @Override
    public void close() {
        down();
        pumps.shutdownNow();
    }
}
