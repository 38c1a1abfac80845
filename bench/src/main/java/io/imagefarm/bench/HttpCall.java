package io.imagefarm.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Supplier;

/**
 * One request and its answer, however it travels: on a kept-alive connection of a {@code java.net.http}
 * client ({@link #keepAlive}), or on a new connection of its own ({@link NewConnectionHttp}).
 */
@FunctionalInterface
interface HttpCall {

    record Answer(int status, String body) {
    }

    Answer call() throws Exception;

    /** Through {@code http}'s connection pool: a client that keeps its connections open between requests. */
    static HttpCall keepAlive(HttpClient http, Supplier<HttpRequest> request) {
        return () -> {
            HttpResponse<String> r = http.send(request.get(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        };
    }
}
