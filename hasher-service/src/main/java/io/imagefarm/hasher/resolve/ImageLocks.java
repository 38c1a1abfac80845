package io.imagefarm.hasher.resolve;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks over image refs. A resolve holds the locks of every ref it decides about, from
 * status lookup to write-through, so concurrent requests for one image publish exactly once.
 * Stripes are taken in index order: no deadlock between overlapping requests.
 */
public final class ImageLocks {

    private final ReentrantLock[] stripes;

    public ImageLocks(int stripeCount) {
        stripes = new ReentrantLock[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Locks every ref's stripe; close the handle to unlock. */
    public Held lock(Collection<String> imageRefs) {
        TreeSet<Integer> indexes = new TreeSet<>();
        for (String ref : imageRefs) {
            indexes.add(Math.floorMod(ref.hashCode(), stripes.length));
        }
        List<ReentrantLock> held = indexes.stream().map(i -> stripes[i]).toList();
        held.forEach(ReentrantLock::lock);
        return () -> {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        };
    }

    /** An acquired set of stripes. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
