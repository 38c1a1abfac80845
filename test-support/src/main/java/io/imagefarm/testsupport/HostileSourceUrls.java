package io.imagefarm.testsupport;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One table of source URLs, friendly and hostile, for repository {@value #REPOSITORY} under
 * {@link #PATTERNS} (schemes {@link #SCHEMES}): fed to the hasher's check and to the worker's, which
 * must refuse exactly {@link #refused()}. Each hostile URL carries {@value #SECRET} where a credential
 * could hide, so a test can also check that no refusal echoes it.
 */
public final class HostileSourceUrls {

    public static final String REPOSITORY = "acme/widget";
    public static final String SECRET = "PLANTED-SECRET";
    public static final List<String> PATTERNS = List.of("https://github.com/{repository}.git", "file:///srv/git/**");
    public static final Set<String> SCHEMES = Set.of("https", "file");

    /** A URL and whether the rules let it be fetched. */
    public record Case(String url, boolean allowed) {
    }

    public static final List<Case> CASES = List.of(
            new Case("https://github.com/acme/widget.git", true),
            new Case("HTTPS://GitHub.com/acme/widget.git", true),
            new Case("file:///srv/git/acme/widget", true),
            new Case("file:///srv/git/mirrors/acme/widget.git", true),
            // another repository, host or path
            new Case("https://github.com/evil/widget.git", false),
            new Case("https://github.com/ACME/widget.git", false),
            new Case("https://github.com.evil.example/acme/widget.git", false),
            new Case("https://github.com/acme/widget.git/extra", false),
            new Case("file:///etc/passwd", false),
            // credentials, in every place a parser may find them or not
            new Case("https://user:" + SECRET + "@github.com/acme/widget.git", false),
            new Case("https://" + SECRET + "@github.com/acme/widget.git", false),
            new Case("https://user:p@ss" + SECRET + "@github.com/acme/widget.git", false),
            new Case("file://user:" + SECRET + "@/srv/git/acme/widget", false),
            new Case("https://user:" + SECRET + "@host_with_underscore/acme/widget.git", false),
            // schemes
            new Case("http://github.com/acme/widget.git", false),
            new Case("ssh://git@github.com/acme/widget.git", false),
            new Case("ext::sh -c touch% /tmp/pwned", false),
            new Case("github.com/acme/widget.git", false),
            // traversal and encoding
            new Case("file:///srv/git/../../etc/", false),
            new Case("file:///srv/git/./acme/widget", false),
            new Case("file:///srv/git/%2e%2e/etc/", false),
            new Case("file:///srv/git/a%2Fb/", false),
            new Case("file:///srv/git/a%5cb/", false),
            // query, fragment, not a URL at all
            new Case("https://github.com/acme/widget.git?x=1", false),
            new Case("https://github.com/acme/widget.git#main", false),
            new Case("https://user:" + SECRET + " x@github.com/acme/widget.git", false),
            new Case("", false));

    private HostileSourceUrls() {
    }

    /** The URLs the rules must refuse. */
    public static Set<String> refused() {
        return CASES.stream().filter(c -> !c.allowed()).map(Case::url).collect(Collectors.toSet());
    }
}
