package io.imagefarm.hasher.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code X-GitHub-Delivery} GUIDs this replica has processed, newest last, bounded. A redelivery
 * (GitHub's "Redeliver" button, or a retry after a timeout) answers 200 and publishes nothing new.
 * Across replicas and restarts, the status topic's in-flight dedup still holds.
 */
public final class DeliveryLog {

    private final Map<String, Boolean> seen;

    public DeliveryLog(int capacity) {
        this.seen = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized boolean seen(String deliveryId) {
        return deliveryId != null && seen.containsKey(deliveryId);
    }

    /** Remembered only after the delivery was processed, so a failed one can be redelivered. */
    public synchronized void remember(String deliveryId) {
        if (deliveryId != null) {
            seen.put(deliveryId, Boolean.TRUE);
        }
    }
}
