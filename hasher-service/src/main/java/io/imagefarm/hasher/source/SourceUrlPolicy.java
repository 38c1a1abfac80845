package io.imagefarm.hasher.source;

import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.git.RefusedSourceUrlException;
import io.imagefarm.git.SourceUrlRules;
import java.util.List;

/**
 * Where workers may fetch a repository from. The git remote ends up in the {@code image-required}
 * event, and a worker builds what it finds there, so every remote is judged here by git-fetch's
 * {@link SourceUrlRules}, the rules the workers check it with again: what a worker would refuse is
 * refused up front (400), not failed later. A signed webhook's {@code clone_url} loses any user info
 * first (credentials never travel in URLs); an API caller's URL with user info is refused.
 */
public final class SourceUrlPolicy {

    private static final String KEY = "imagefarm.hasher.source.allowed-url-patterns";

    private final String template;
    private final SourceUrlRules rules;

    /** @throws IllegalArgumentException patterns that could fetch nothing, or with user info */
    public SourceUrlPolicy(String template, List<String> allowedPatterns) {
        this.template = template;
        try {
            this.rules = SourceUrlRules.ofPatterns(allowedPatterns);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY + ": " + e.getMessage(), e);
        }
    }

    public String derived(SourceRepository repository) {
        return template.replace("{repository}", repository.toString());
    }

    /** A signed webhook's {@code clone_url}, without its user info; absent means the template. */
    public String fromWebhook(SourceRepository repository, String cloneUrl) {
        if (cloneUrl == null || cloneUrl.isBlank()) {
            return derived(repository);
        }
        try {
            return checked(repository, SourceUrlRules.withoutUserInfo(cloneUrl));
        } catch (RefusedSourceUrlException e) {
            throw refused(e);
        }
    }

    /** An API caller's {@code sourceUrl}: absent means the template; otherwise it must pass the rules. */
    public String fromApiCaller(SourceRepository repository, String sourceUrl) {
        if (sourceUrl == null) {
            return derived(repository);
        }
        return checked(repository, sourceUrl);
    }

    private String checked(SourceRepository repository, String url) {
        try {
            rules.check(url, repository.toString());
            return url;
        } catch (RefusedSourceUrlException e) {
            throw refused(e);
        }
    }

    private static InvalidSourceUrlException refused(RefusedSourceUrlException e) {
        return new InvalidSourceUrlException(e.getMessage() + " (" + KEY + ")");
    }
}
