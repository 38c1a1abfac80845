package io.imagefarm.registry;

import io.imagefarm.core.registry.RegistryException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The transport under {@link RegistryClient} (go-containerregistry's {@code transport} retry layer, apart from
 * {@code remote}): the pool of REST clients, one per registry host and one per token endpoint, and the one place
 * that decides "transient, retry with backoff" or "an answer, give it back". Knows nothing of authentication or
 * of what a request means.
 */
final class RegistryTransport implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RegistryTransport.class);

    private final RegistryClientSettings settings;
    private final RegistryClient.Backoff backoff;
    /** By registry host. */
    private final Map<String, RegistryApi> registryApis = new ConcurrentHashMap<>();
    /** By token endpoint (a Bearer challenge's realm). */
    private final Map<String, TokenApi> tokenApis = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RegistryTransport(RegistryClientSettings settings, RegistryClient.Backoff backoff) {
        this.settings = settings;
        this.backoff = backoff;
    }

    /** The one REST client of a registry host, for every repository there. */
    RegistryApi registry(String registry) {
        return client(registryApis, registry,
                r -> builder(URI.create(settings.scheme(r) + "://" + r + "/v2/")).build(RegistryApi.class));
    }

    /** The one REST client of a token endpoint. */
    TokenApi tokenEndpoint(String realm) {
        return client(tokenApis, realm, r -> builder(URI.create(r)).build(TokenApi.class));
    }

    /**
     * Sends {@code request}, again after a backoff while it fails transiently ({@link #retries}: 408, 429, 5xx, or
     * no answer at all), {@code maxAttempts} times in all. Returns the last answer whatever its status; the caller
     * closes it. When the last attempt gets no answer, throws a transient {@link RegistryException}.
     *
     * @param peer names the other side in messages: {@code registry ghcr.io}, {@code token endpoint https://...}
     */
    Response send(String peer, Supplier<Response> request) {
        return send(peer, request, r -> false);
    }

    /**
     * As {@link #send(String, Supplier)}, also asking again while {@code transientHere} holds: an answer that is
     * transient only for what this request is (the caller knows; the status alone does not say).
     */
    Response send(String peer, Supplier<Response> request, Predicate<Response> transientHere) {
        for (int attempt = 1; ; attempt++) {
            Response r;
            try {
                r = request.get();
            } catch (ProcessingException e) {
                if (attempt >= settings.maxAttempts()) {
                    throw new RegistryException(peer + " unreachable after " + attempt + " attempts: " + rootMessage(e), 0, null, e);
                }
                pause(attempt, null, peer, "unreachable: " + rootMessage(e));
                continue;
            }
            if ((retries(r.getStatus()) || transientHere.test(r)) && attempt < settings.maxAttempts()) {
                String retryAfter = r.getHeaderString("Retry-After");
                r.close();
                pause(attempt, retryAfter, peer, "answered " + r.getStatus());
                continue;
            }
            return r;
        }
    }

    /** Whether an answer with this status is worth asking again: 408, 429 and 5xx are; the rest is the answer. */
    static boolean retries(int status) {
        return RegistryException.isTransientStatus(status);
    }

    /**
     * The wait after failed attempt {@code attempt} (1-based): {@code initialBackoff} doubled per attempt, or the
     * seconds a {@code Retry-After} asks for; never more than {@code maxBackoff}.
     */
    Duration backoff(int attempt, String retryAfter) {
        Duration wait = settings.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 16));
        if (retryAfter != null && retryAfter.matches("\\d+")) {
            wait = retryAfter.length() > 9 ? settings.maxBackoff() : Duration.ofSeconds(Long.parseLong(retryAfter));
        }
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }

    /** Closes every REST client of the pool; the transport cannot be used afterwards. */
    @Override
    public void close() {
        closed = true;
        closeAll(registryApis);
        closeAll(tokenApis);
    }

    private void pause(int attempt, String retryAfter, String peer, String why) {
        Duration wait = backoff(attempt, retryAfter);
        LOG.debugf("%s %s; attempt %d, retrying in %s", peer, why, attempt, wait);
        try {
            backoff.pause(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry " + peer, 0, null, e);
        }
    }

    private <T> T client(Map<String, T> clients, String key, Function<String, T> create) {
        if (closed) {
            throw new IllegalStateException("registry client is closed");
        }
        return clients.computeIfAbsent(key, create);
    }

    private static void closeAll(Map<String, ?> clients) {
        clients.forEach((key, client) -> {
            // Quarkus REST client proxies are Closeable; closing releases the underlying HTTP client.
            if (client instanceof Closeable closeable) {
                try {
                    closeable.close();
                } catch (IOException | RuntimeException e) {
                    LOG.warnf(e, "closing the REST client for %s failed", key);
                }
            }
        });
        clients.clear();
    }

    private QuarkusRestClientBuilder builder(URI base) {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(base)
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(true)
                .disableDefaultMapper(true);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }
}
