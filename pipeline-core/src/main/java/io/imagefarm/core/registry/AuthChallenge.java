package io.imagefarm.core.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's {@code WWW-Authenticate} challenge: its scheme and parameters ({@code realm},
 * {@code service}, {@code scope}). Parsed here once for the services' registry client and the CLI; the
 * header is the registry's, so untrusted: an unknown scheme is simply not answered.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    private static final Pattern PARAM = Pattern.compile("([A-Za-z]+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    public AuthChallenge {
        params = Map.copyOf(params);
    }

    /** Empty for a missing or blank header. */
    public static Optional<AuthChallenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (space > 0) {
            Matcher m = PARAM.matcher(trimmed.substring(space + 1));
            while (m.find()) {
                params.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
            }
        }
        return Optional.of(new AuthChallenge(scheme, params));
    }

    public boolean isBearer() {
        return "bearer".equals(scheme);
    }

    public boolean isBasic() {
        return "basic".equals(scheme);
    }

    /**
     * The token endpoint of a Bearer challenge: an absolute http(s) URL with a host. A challenge without
     * one, or with anything else there, is the registry's error, and nothing is sent to it.
     */
    public String realm(String registry) {
        String realm = params.get("realm");
        if (realm == null || realm.isBlank()) {
            throw new RegistryException("registry " + registry + " sent a Bearer challenge without a realm", 401, "UNAUTHORIZED");
        }
        URI uri;
        try {
            uri = new URI(realm);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
            throw new RegistryException("registry " + registry + " sent a Bearer challenge whose realm is not an http(s) URL",
                    401, "UNAUTHORIZED");
        }
        return realm;
    }

    /** The scope the registry asks for, else the caller's. */
    public String scope(String requested) {
        return params.getOrDefault("scope", requested);
    }

    public Optional<String> service() {
        return Optional.ofNullable(params.get("service"));
    }
}
