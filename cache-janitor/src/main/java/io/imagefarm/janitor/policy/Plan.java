package io.imagefarm.janitor.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run would do to one repository: every candidate with its action and reason, the delete
 * operations in the order they must run (indexes before their children), the cap check and the bytes
 * the deletions would make reclaimable.
 *
 * @param tagsScanned      every tag in the repository, managed or not
 * @param managedTags      the tags the janitor manages
 * @param bytesReclaimable the unique blob sizes referenced by deleted manifests and by no remaining one
 */
public record Plan(String image, Instant now, List<PlanItem> items, List<Deletion> deletions, int tagsScanned,
                   int managedTags, long bytesReclaimable, Cap cap) {

    public Plan {
        items = List.copyOf(items);
        deletions = List.copyOf(deletions);
    }

    public Map<Reason, Integer> keptByReason() {
        Map<Reason, Integer> counts = new TreeMap<>();
        items.stream().filter(i -> !i.delete()).forEach(i -> counts.merge(i.reason(), 1, Integer::sum));
        return counts;
    }

    public List<PlanItem> kept() {
        return items.stream().filter(i -> !i.delete()).toList();
    }

    public List<PlanItem> toDelete() {
        return items.stream().filter(PlanItem::delete).toList();
    }

    public PlanItem item(String tag) {
        return items.stream().filter(i -> tag.equals(i.tag())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no plan item for tag " + tag));
    }
}
