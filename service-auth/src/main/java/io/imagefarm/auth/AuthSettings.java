package io.imagefarm.auth;

import io.imagefarm.core.auth.AccessPolicy;
import io.imagefarm.core.auth.ApiToken;
import io.imagefarm.core.auth.ApiTokens;
import io.imagefarm.core.auth.ClaimConditions;
import io.imagefarm.core.auth.Glob;
import io.imagefarm.core.auth.RepositoryPattern;
import io.imagefarm.core.auth.Role;
import io.imagefarm.core.secret.Secrets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link AuthConfig} turned into the domain's types, validated at start-up with messages naming the key. */
public final class AuthSettings {

    private AuthSettings() {
    }

    public static ApiTokens apiTokens(AuthConfig config) {
        List<ApiToken> tokens = new ArrayList<>();
        config.apiTokens().forEach((name, t) -> {
            String key = "imagefarm.auth.api-tokens.\"" + name + "\"";
            try {
                String digest = Secrets.require(key + ".sha256", t.sha256(), t.sha256File());
                List<RepositoryPattern> repositories = t.repositories().orElse(List.of()).stream().map(RepositoryPattern::parse).toList();
                tokens.add(ApiToken.of(name, digest, Role.parse(t.role()), repositories));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid " + key + ": " + e.getMessage(), e);
            }
        });
        return new ApiTokens(tokens);
    }

    public static AccessPolicy accessPolicy(AuthConfig config) {
        Map<String, ClaimConditions> conditions = new LinkedHashMap<>();
        config.oidcRepositories().forEach((repository, c) -> conditions.put(repository, new ClaimConditions(
                c.ref().orElse(List.of()).stream().map(Glob::new).toList(),
                c.jobWorkflowRef().orElse(List.of()).stream().map(Glob::new).toList())));
        return new AccessPolicy(conditions);
    }
}
