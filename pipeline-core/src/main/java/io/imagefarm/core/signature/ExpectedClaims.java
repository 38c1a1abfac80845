package io.imagefarm.core.signature;

import java.util.Optional;

/**
 * What a verifier requires a payload's {@code optional} section to say; an empty field is not checked.
 * The repository is compared ignoring case (GitHub's names are case-insensitive); commit and hash exactly.
 */
public record ExpectedClaims(Optional<String> repository, Optional<String> commit, Optional<String> versionHash) {

    public ExpectedClaims {
        repository = repository == null ? Optional.empty() : repository;
        commit = commit == null ? Optional.empty() : commit;
        versionHash = versionHash == null ? Optional.empty() : versionHash;
    }

    /** Checks only the signature and the digest. */
    public static ExpectedClaims none() {
        return new ExpectedClaims(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Requires exactly what a signer was given. */
    public static ExpectedClaims of(SignatureClaims claims) {
        return new ExpectedClaims(Optional.of(claims.repository()), Optional.of(claims.commit()),
                Optional.of(claims.versionHash()));
    }

    public ExpectedClaims withRepository(String value) {
        return new ExpectedClaims(Optional.ofNullable(value), commit, versionHash);
    }

    public ExpectedClaims withCommit(String value) {
        return new ExpectedClaims(repository, Optional.ofNullable(value), versionHash);
    }

    public ExpectedClaims withVersionHash(String value) {
        return new ExpectedClaims(repository, commit, Optional.ofNullable(value));
    }
}
