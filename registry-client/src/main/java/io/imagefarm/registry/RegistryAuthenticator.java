package io.imagefarm.registry;

import io.imagefarm.core.registry.AuthChallenge;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.core.registry.RegistryToken;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Authentication for {@link RegistryClient}: a request goes out with what is known to work (a cached Bearer token
 * for its scope, or basic credentials for a registry that asked for them); on a 401 the {@code WWW-Authenticate}
 * challenge says what to do, and the request is sent once more with it. A Bearer challenge is answered with a token
 * from its realm, cached in a {@link TokenCache}. Every request goes through the {@link RegistryTransport}, so
 * retries happen below this layer.
 */
final class RegistryAuthenticator {

    private final RegistryClientSettings settings;
    private final RegistryTransport transport;
    private final TokenCache tokens;
    private final Set<String> basicAuthRegistries = ConcurrentHashMap.newKeySet();

    RegistryAuthenticator(RegistryClientSettings settings, RegistryTransport transport, TokenCache tokens) {
        this.settings = settings;
        this.transport = transport;
        this.tokens = tokens;
    }

    /**
     * Sends {@code request} (given the {@code Authorization} header to send, null for none) with the authorization
     * {@code scope} needs. A 401 that the challenge cannot lift is returned as it came.
     */
    Response send(String registry, String scope, Function<String, Response> request) {
        return send(registry, scope, request, r -> false);
    }

    /** As {@link #send(String, String, Function)}; {@code transientHere} as in {@link RegistryTransport}. */
    Response send(String registry, String scope, Function<String, Response> request, Predicate<Response> transientHere) {
        String peer = "registry " + registry;
        String authorization = cachedAuthorization(registry, scope);
        Response r = transport.send(peer, () -> request.apply(authorization), transientHere);
        if (r.getStatus() != 401) {
            return r;
        }
        Optional<AuthChallenge> parsed = AuthChallenge.parse(r.getHeaderString("WWW-Authenticate"));
        if (parsed.isEmpty()) {
            return r;
        }
        AuthChallenge challenge = parsed.get();
        if (challenge.isBearer()) {
            r.close();
            String bearer = "Bearer " + fetchToken(registry, challenge, scope);
            return transport.send(peer, () -> request.apply(bearer), transientHere);
        }
        Optional<RegistryCredentials> credentials = settings.credentialsFor(registry);
        if (challenge.isBasic() && credentials.isPresent() && authorization == null) {
            r.close();
            basicAuthRegistries.add(registry);
            return transport.send(peer, () -> request.apply(credentials.get().basicHeader()), transientHere);
        }
        return r;
    }

    private String cachedAuthorization(String registry, String scope) {
        Optional<String> token = tokens.get(registry, scope);
        if (token.isPresent()) {
            return "Bearer " + token.get();
        }
        if (basicAuthRegistries.contains(registry)) {
            return settings.credentialsFor(registry).map(RegistryCredentials::basicHeader).orElse(null);
        }
        return null;
    }

    /** A token for the challenge's scope (or {@code scope} if it names none), cached under {@code scope}. */
    private String fetchToken(String registry, AuthChallenge challenge, String scope) {
        String realm = challenge.realm(registry);
        String tokenScope = challenge.scope(scope);
        String basic = settings.credentialsFor(registry).map(RegistryCredentials::basicHeader).orElse(null);
        TokenApi endpoint = transport.tokenEndpoint(realm);
        try (Response r = transport.send("token endpoint " + realm,
                () -> endpoint.token(challenge.service().orElse(null), tokenScope, basic))) {
            if (r.getStatus() != 200) {
                throw new RegistryException("token endpoint " + realm + " refused scope " + tokenScope + " (" + r.getStatus() + ")",
                        r.getStatus() == 404 ? 401 : r.getStatus(), "UNAUTHORIZED");
            }
            RegistryToken token = RegistryToken.parse(realm, r.readEntity(byte[].class));
            tokens.put(registry, scope, token.value(), token.expiresInSeconds());
            return token.value();
        }
    }
}
