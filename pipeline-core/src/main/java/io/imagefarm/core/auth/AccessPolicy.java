package io.imagefarm.core.auth;

import io.imagefarm.core.image.SourceRepository;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * May this caller do this to this repository? Authentication (signatures, lifetimes, digests) has
 * happened before; this decides with what the credential proves, as PyPI's trusted publishing does:
 *
 * <ul>
 *   <li>{@code admin} may do everything;</li>
 *   <li>otherwise the caller needs the action's role, and the repository must be its own: for an OIDC
 *       token the {@code repository} claim (case-insensitive), for an API token one of its patterns;</li>
 *   <li>an OIDC token that carries {@code sha} may only ask about that commit;</li>
 *   <li>per-repository conditions on {@code ref} and {@code job_workflow_ref} must hold.</li>
 * </ul>
 * The farm's allow-list of owners is checked by the service on top, for every caller.
 */
public final class AccessPolicy {

    private final Map<String, ClaimConditions> conditions;

    /** @param conditions by repository (OWNER/NAME, any case) */
    public AccessPolicy(Map<String, ClaimConditions> conditions) {
        this.conditions = conditions.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    }

    /**
     * @param repository the repository the request is about; null for actions not about one (janitor)
     * @param commit     the commit the request is about, if any
     * @throws AccessDeniedException naming what the credential does not cover
     */
    public void authorize(Caller caller, Action action, SourceRepository repository, Optional<String> commit) {
        if (caller.has(Role.ADMIN)) {
            return;
        }
        if (!caller.has(action.needs())) {
            throw new AccessDeniedException(caller.name() + " may not " + describe(action) + ": that needs the role " + action.needs().roleName());
        }
        if (repository == null) {
            return;
        }
        switch (caller.kind()) {
            case OIDC -> authorizeOidc(caller, repository, commit);
            case API_TOKEN -> {
                if (caller.repositories().stream().noneMatch(p -> p.matches(repository))) {
                    throw new AccessDeniedException("the API token " + caller.name() + " may act on " + caller.repositories()
                            + ", not on " + repository);
                }
            }
        }
    }

    private void authorizeOidc(Caller caller, SourceRepository repository, Optional<String> commit) {
        String claimed = caller.claim("repository").orElseThrow(() ->
                new AccessDeniedException("the token has no repository claim, so it cannot act on " + repository));
        if (!claimed.equalsIgnoreCase(repository.toString())) {
            throw new AccessDeniedException("the token was issued to " + claimed + ", not to " + repository);
        }
        Optional<String> sha = caller.claim("sha");
        if (sha.isPresent() && commit.isPresent() && !sha.get().equalsIgnoreCase(commit.get())) {
            throw new AccessDeniedException("the token was issued for commit " + sha.get() + ", not for " + commit.get());
        }
        ClaimConditions required = conditions.getOrDefault(repository.toString().toLowerCase(Locale.ROOT), ClaimConditions.NONE);
        requireMatch(caller, "ref", required.ref(), repository);
        requireMatch(caller, "job_workflow_ref", required.jobWorkflowRef(), repository);
    }

    private static void requireMatch(Caller caller, String claim, List<Glob> patterns, SourceRepository repository) {
        if (patterns.isEmpty()) {
            return;
        }
        String value = caller.claim(claim).orElse(null);
        if (patterns.stream().noneMatch(p -> p.matches(value))) {
            throw new AccessDeniedException("the token's " + claim + " '" + (value == null ? "" : value) + "' does not match "
                    + patterns.stream().map(Glob::text).toList() + ", as " + repository + " requires");
        }
    }

    private static String describe(Action action) {
        return action.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
