package io.imagefarm.hasher.rest;

import io.imagefarm.auth.Callers;
import io.imagefarm.core.auth.AccessPolicy;
import io.imagefarm.core.auth.Action;
import io.imagefarm.core.auth.Caller;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.config.HasherConfig;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The resources' one call into authorization: the verified identity (quarkus-oidc or an API token)
 * as a {@link Caller}, decided on by the plain-Java {@link AccessPolicy}. Missing credential: 401;
 * credential that does not cover the request: 403 (AccessDeniedException).
 */
@ApplicationScoped
public class Access {

    private static final Logger AUDIT = Logger.getLogger("io.imagefarm.hasher.audit");

    private final SecurityIdentity identity;
    private final AccessPolicy policy;
    private final boolean anonymousRead;

    public Access(SecurityIdentity identity, AccessPolicy policy, HasherConfig config) {
        this.identity = identity;
        this.policy = policy;
        this.anonymousRead = config.api().anonymousRead();
    }

    /**
     * The verified caller, or 401. A write calls this before it reads anything of its body: an
     * unauthenticated caller learns nothing from how its body would have been judged.
     */
    public Caller authenticated() {
        return Callers.of(identity).orElseThrow(() -> new UnauthorizedException(
                "a credential is required: a GitHub Actions OIDC token or an API token, as Authorization: Bearer <token>"));
    }

    public Caller require(Action action, SourceRepository repository, Optional<String> commit) {
        Caller caller = authenticated();
        policy.authorize(caller, action, repository, commit);
        if (action != Action.READ) {
            AUDIT.infof("%s %s%s by %s", action.name().toLowerCase(), repository, commit.map(c -> "@" + c).orElse(""), caller.name());
        }
        return caller;
    }

    /**
     * Which repositories' statuses this request may read (the dashboard and the event stream show only
     * those): all where anonymous reads are on, else those the credential covers. The caller is captured
     * now, so the predicate outlives the request (an event stream filters with it long after).
     */
    public Predicate<String> readFilter() {
        if (anonymousRead && identity.isAnonymous()) {
            return repository -> true;
        }
        Optional<Caller> caller = Callers.of(identity);
        if (caller.isEmpty()) {
            return repository -> false;
        }
        Caller captured = caller.get();
        return repository -> {
            try {
                policy.authorize(captured, Action.READ, SourceRepository.parse(repository), Optional.empty());
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        };
    }

    /** Pages and streams over many repositories: anonymous only where anonymous reads are on, else a credential. */
    public void requireReader() {
        if (anonymousRead && identity.isAnonymous()) {
            return;
        }
        authenticated();
    }

    /** Status and wait: anonymous only where imagefarm.hasher.api.anonymous-read is on. */
    public void requireRead(String repository) {
        if (anonymousRead && identity.isAnonymous()) {
            return;
        }
        authenticated(); // before the repository is parsed: 401, not 400, for a caller without a credential
        require(Action.READ, SourceRepository.parse(repository), Optional.empty());
    }
}
