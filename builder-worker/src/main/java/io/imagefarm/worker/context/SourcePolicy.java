package io.imagefarm.worker.context;

import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.SourceRepository;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which {@code sourceUrl}s a worker fetches, whoever produced the event: an allowed scheme, no user
 * info (credentials never come from an event; the worker has its own git token), no {@code .} or
 * {@code ..} segments, no query or fragment, and a match with one of the allowed patterns for the
 * event's repository.
 *
 * <p>Patterns: {@code {repository}} stands for the event's repository ({@code OWNER/NAME}), {@code *}
 * for any characters within one path segment (no {@code /}), {@code **} for any characters across
 * segments. Scheme and host compare case-insensitively, the rest exactly. E.g.
 * {@code https://github.com/{repository}.git} or {@code file:///srv/git/**}.
 *
 * <p>URLs go into messages only through {@link #redact}, so a password planted in one never reaches
 * a log or a status.
 */
public final class SourcePolicy {

    private static final String REPOSITORY_PLACEHOLDER = "{repository}";
    private static final String HIDDEN = "***";

    private final Set<String> allowedSchemes;
    private final List<String> allowedPatterns;

    public SourcePolicy(Set<String> allowedSchemes, List<String> allowedPatterns) {
        this.allowedSchemes = allowedSchemes.stream().map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.allowedPatterns = allowedPatterns.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        if (this.allowedSchemes.isEmpty()) {
            throw new IllegalArgumentException("imagefarm.worker.context.allowed-schemes is empty: no source could be fetched");
        }
        if (this.allowedPatterns.isEmpty()) {
            throw new IllegalArgumentException("imagefarm.worker.context.allowed-url-patterns is empty: no source could be fetched");
        }
        for (String pattern : this.allowedPatterns) {
            int colon = pattern.indexOf("://");
            if (colon <= 0 || pattern.substring(0, colon).contains("*")) {
                throw new IllegalArgumentException("allowed URL pattern '" + pattern
                        + "' must start with a literal scheme and '://', e.g. https://github.com/{repository}.git");
            }
            if (pattern.substring(0, colon + 3).contains("@") || authority(pattern).contains("@")) {
                throw new IllegalArgumentException("allowed URL pattern '" + redact(pattern) + "' must not carry user info");
            }
        }
    }

    /**
     * Throws {@link InvalidContextException} (permanent) unless the worker may fetch {@code sourceUrl}
     * for {@code repository}. The message shows the URL redacted.
     */
    public void check(String sourceUrl, String repository) {
        if (sourceUrl == null || sourceUrl.isBlank()) {
            throw new InvalidContextException("the event names no sourceUrl to fetch the context from");
        }
        String shown = redact(sourceUrl);
        URI uri;
        try {
            uri = new URI(sourceUrl);
        } catch (URISyntaxException e) {
            // e.getMessage() quotes the input: only the reason may go into the message
            throw new InvalidContextException("sourceUrl '" + shown + "' is not a URL: " + e.getReason());
        }
        String authority = uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
            throw new InvalidContextException("sourceUrl '" + shown + "' carries user info (credentials); such URLs are "
                    + "refused: the worker authenticates with its own token (imagefarm.worker.git.token-file)");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !allowedSchemes.contains(scheme.toLowerCase(Locale.ROOT))) {
            throw new InvalidContextException("sourceUrl '" + shown + "': scheme " + scheme + " is not allowed; allowed: "
                    + allowedSchemes.stream().sorted().toList());
        }
        if (uri.isOpaque() || uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            throw new InvalidContextException("sourceUrl '" + shown + "' names no path");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidContextException("sourceUrl '" + shown + "' has a query or fragment; a git remote has neither");
        }
        String rawPath = uri.getRawPath();
        String lowerPath = rawPath.toLowerCase(Locale.ROOT);
        if (lowerPath.contains("%2f") || lowerPath.contains("%2e") || lowerPath.contains("%5c")) {
            throw new InvalidContextException("sourceUrl '" + shown + "' has a percent-encoded '/', '.' or '\\' in its path");
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidContextException("sourceUrl '" + shown + "' has a '" + segment + "' path segment");
            }
        }
        SourceRepository parsed;
        try {
            parsed = SourceRepository.parse(repository);
        } catch (InvalidReferenceException e) {
            throw new InvalidContextException("the event's repository cannot be matched against the allowed URL patterns: "
                    + e.getMessage());
        }
        String normalized = lowerSchemeAndAuthority(sourceUrl);
        for (String pattern : allowedPatterns) {
            if (compile(pattern, parsed.toString()).matcher(normalized).matches()) {
                return;
            }
        }
        throw new InvalidContextException("sourceUrl '" + shown + "' is not allowed for repository " + parsed
                + ": it matches none of imagefarm.worker.context.allowed-url-patterns " + allowedPatterns);
    }

    /** Whether {@code url} matches {@code pattern} with {@code {repository}} standing for {@code repository}. */
    static boolean matches(String pattern, String repository, String url) {
        return compile(pattern, repository).matcher(lowerSchemeAndAuthority(url)).matches();
    }

    private static Pattern compile(String pattern, String repository) {
        String p = lowerSchemeAndAuthority(pattern);
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < p.length()) {
            if (p.startsWith(REPOSITORY_PLACEHOLDER, i)) {
                flush(regex, literal);
                regex.append(Pattern.quote(repository));
                i += REPOSITORY_PLACEHOLDER.length();
            } else if (p.startsWith("**", i)) {
                flush(regex, literal);
                regex.append(".*");
                i += 2;
            } else if (p.charAt(i) == '*') {
                flush(regex, literal);
                regex.append("[^/]*");
                i++;
            } else {
                literal.append(p.charAt(i));
                i++;
            }
        }
        flush(regex, literal);
        return Pattern.compile(regex.toString());
    }

    private static void flush(StringBuilder regex, StringBuilder literal) {
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
        }
    }

    /** {@code scheme://authority} lower-cased (both are case-insensitive); the rest as it is. */
    private static String lowerSchemeAndAuthority(String url) {
        int sep = url.indexOf("://");
        if (sep < 0) {
            return url;
        }
        int end = url.indexOf('/', sep + 3);
        if (end < 0) {
            end = url.length();
        }
        return url.substring(0, end).toLowerCase(Locale.ROOT) + url.substring(end);
    }

    private static String authority(String url) {
        int sep = url.indexOf("://");
        int end = url.indexOf('/', sep + 3);
        return url.substring(sep + 3, end < 0 ? url.length() : end);
    }

    /**
     * The URL with any user info replaced by {@code ***}: safe for logs, messages and statuses. Strings
     * that do not parse as URLs are redacted conservatively: everything between the scheme and the
     * last {@code @}.
     */
    public static String redact(String url) {
        if (url == null || url.indexOf('@') < 0) {
            return url;
        }
        try {
            URI uri = new URI(url);
            String authority = uri.getRawAuthority();
            if (uri.getScheme() != null && authority != null) {
                int at = authority.lastIndexOf('@');
                if (at < 0) {
                    return url; // an '@' in the path hides nothing
                }
                int start = uri.getScheme().length() + 3;
                return url.substring(0, start) + HIDDEN + url.substring(start + at);
            }
        } catch (URISyntaxException e) {
            // not a URL: redact conservatively below
        }
        int sep = url.indexOf("://");
        int from = sep < 0 ? 0 : sep + 3;
        int at = url.lastIndexOf('@');
        if (at < from) {
            return url;
        }
        return url.substring(0, from) + HIDDEN + url.substring(at);
    }

    @Override
    public String toString() {
        return "schemes " + allowedSchemes.stream().sorted().toList() + ", URL patterns " + allowedPatterns;
    }
}
