package io.imagefarm.janitor.backend;

import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import java.util.List;

/**
 * Where a repository's manifests live and how they are deleted. Implementations classify failures:
 * {@link DeletionUnsupportedException} stops the run for the repository, {@link RateBudgetExhaustedException}
 * defers the rest to the next run, {@link DeletionRefusedException} fails one item and goes on.
 */
public interface JanitorBackend {

    /** Every tag and the manifests behind them, with index children, push times and blob sizes. */
    Inventory scan(RepositoryTarget target);

    /** Deletes one manifest (by digest) or version (by id). Already gone counts as done. */
    DeleteResult delete(RepositoryTarget target, Deletion deletion);

    /** What a report should tell about space reclamation on this backend. */
    List<String> notes();

    enum DeleteResult {
        DELETED,
        ALREADY_GONE
    }
}
