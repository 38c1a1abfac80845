package io.imagefarm.hasher.source;

import io.imagefarm.core.image.SourceRepository;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where workers may fetch a repository from. The git remote ends up in the {@code image-required}
 * event, and a worker builds what it finds there, so it is trusted input only from a signed webhook
 * ({@code clone_url}) or the configured template. An API caller may name one only if it matches an
 * allowed pattern ({@code {repository}} is OWNER/NAME, {@code *} any text within a path segment,
 * {@code **} any text). Credentials never travel in URLs: an API caller's URL with userinfo is
 * refused, a webhook's is stripped.
 */
public final class SourceUrlPolicy {

    private final String template;
    private final List<String> allowedPatterns;

    public SourceUrlPolicy(String template, List<String> allowedPatterns) {
        this.template = template;
        this.allowedPatterns = List.copyOf(allowedPatterns);
    }

    public String derived(SourceRepository repository) {
        return template.replace("{repository}", repository.toString());
    }

    /** A signed webhook's {@code clone_url}: trusted, but any userinfo is dropped; absent means the template. */
    public String fromWebhook(SourceRepository repository, String cloneUrl) {
        if (cloneUrl == null || cloneUrl.isBlank()) {
            return derived(repository);
        }
        URI uri = parse(cloneUrl);
        if (uri.getRawUserInfo() == null) {
            return cloneUrl;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), uri.getFragment()).toString();
        } catch (URISyntaxException e) {
            throw new InvalidSourceUrlException("clone_url cannot be rebuilt without its credentials");
        }
    }

    /** An API caller's {@code sourceUrl}: absent means the template; otherwise it must be allowed. */
    public String fromApiCaller(SourceRepository repository, String sourceUrl) {
        if (sourceUrl == null) {
            return derived(repository);
        }
        URI uri = parse(sourceUrl);
        if (uri.getRawUserInfo() != null) {
            throw new InvalidSourceUrlException("sourceUrl must not carry credentials (user:password@); "
                    + "the farm fetches private repositories with its own token");
        }
        if (allowedPatterns.stream().noneMatch(p -> matches(p.replace("{repository}", repository.toString()), sourceUrl))) {
            throw new InvalidSourceUrlException("sourceUrl " + sourceUrl + " is not allowed for " + repository
                    + ": it must match one of " + allowedPatterns + " (imagefarm.hasher.source.allowed-url-patterns)");
        }
        return sourceUrl;
    }

    /** Scheme and host compare case-insensitively, the path exactly (as the workers compare them). */
    static boolean matches(String patternText, String url) {
        String pattern = lowerSchemeAndHost(patternText);
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            if (pattern.startsWith("**", i)) {
                regex.append(".*");
                i += 2;
            } else if (pattern.charAt(i) == '*') {
                regex.append("[^/]*");
                i++;
            } else {
                int next = i;
                while (next < pattern.length() && pattern.charAt(next) != '*') {
                    next++;
                }
                regex.append(Pattern.quote(pattern.substring(i, next)));
                i = next;
            }
        }
        return Pattern.compile(regex.toString()).matcher(lowerSchemeAndHost(url)).matches();
    }

    private static String lowerSchemeAndHost(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return url;
        }
        int end = url.indexOf('/', start + 3);
        end = end < 0 ? url.length() : end;
        return url.substring(0, end).toLowerCase(java.util.Locale.ROOT) + url.substring(end);
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null) {
                throw new InvalidSourceUrlException("sourceUrl '" + redact(url) + "' has no scheme");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidSourceUrlException("sourceUrl is not a URL: " + e.getReason());
        }
    }

    /** For messages: never echo credentials back. */
    private static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//***@");
    }
}
