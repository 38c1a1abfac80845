package io.imagefarm.registry;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Link} header pagination that distribution's tag list and GitHub's REST API both use
 * (RFC 8288): {@code <url>; rel="next"}, among other links, relative or absolute. Pure parsing; the
 * callers decide what the next page's query means.
 */
public final class LinkHeader {

    /** One link-value: {@code <target>} and its parameters, up to the next {@code <}. */
    private static final Pattern LINK = Pattern.compile("<([^>]*)>([^<]*)");
    private static final Pattern REL = Pattern.compile(";\\s*rel\\s*=\\s*(?:\"([^\"]*)\"|([^;,\\s]+))", Pattern.CASE_INSENSITIVE);

    private LinkHeader() {
    }

    /** The {@code rel="next"} target, as written (possibly relative); empty when the header has none. */
    public static Optional<URI> next(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher link = LINK.matcher(header);
        while (link.find()) {
            Matcher rel = REL.matcher(link.group(2));
            if (rel.find()) {
                String relations = rel.group(1) != null ? rel.group(1) : rel.group(2);
                for (String relation : relations.trim().split("\\s+")) {
                    if (relation.toLowerCase(Locale.ROOT).equals("next")) {
                        return Optional.of(URI.create(link.group(1).trim()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A link's query parameters, decoded; the last of a repeated name wins. */
    public static Map<String, String> query(URI link) {
        Map<String, String> params = new HashMap<>();
        String raw = link.getRawQuery();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
