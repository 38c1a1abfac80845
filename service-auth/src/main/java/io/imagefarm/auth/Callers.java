package io.imagefarm.auth;

import io.imagefarm.core.auth.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** A verified {@link SecurityIdentity} as the domain's {@link Caller}; anonymous is empty. */
public final class Callers {

    /** The GitHub Actions claims the access policy and audit logs use. */
    static final List<String> CLAIMS = List.of("repository", "repository_owner", "sha", "ref", "job_workflow_ref",
            "workflow_ref", "actor", "event_name", "run_id");

    private Callers() {
    }

    public static Optional<Caller> of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return Optional.empty();
        }
        Caller caller = identity.getAttribute(ApiTokenAuthenticationMechanism.CALLER_ATTRIBUTE);
        if (caller != null) {
            return Optional.of(caller);
        }
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Map<String, String> claims = new LinkedHashMap<>();
            for (String name : CLAIMS) {
                Object value = jwt.getClaim(name);
                if (value != null) {
                    claims.put(name, value.toString().replaceAll("^\"|\"$", ""));
                }
            }
            return Optional.of(Caller.oidc(jwt.getSubject() == null ? "oidc" : jwt.getSubject(), claims));
        }
        return Optional.empty();
    }
}
