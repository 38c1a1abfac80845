package io.imagefarm.worker.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Logs and counts partition assignments and revocations (a long build must cause none), and tells the
 * {@link BuildGate} what each consumer owns after every rebalance, so a build whose partition went to
 * another worker stops instead of being built twice.
 */
@ApplicationScoped
@Identifier(Channels.REBALANCE_LISTENER)
public class RebalanceTracker implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(RebalanceTracker.class);

    private final MeterRegistry registry;
    private final BuildGate gate;

    RebalanceTracker(MeterRegistry registry, BuildGate gate) {
        this.registry = registry;
        this.gate = gate;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        registry.counter("imagefarm.worker.partitions.assigned").increment(partitions.size());
        LOG.infof("partitions assigned: %s", partitions);
        // after every rebalance, in either protocol: the whole assignment, not only what was added
        gate.owns(consumer.subscription(), consumer.assignment());
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            registry.counter("imagefarm.worker.partitions.revoked").increment(partitions.size());
            LOG.infof("partitions revoked: %s", partitions);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            registry.counter("imagefarm.worker.partitions.lost").increment(partitions.size());
            LOG.warnf("partitions lost (session expired or fenced): %s", partitions);
            gate.released(partitions);
        }
    }
}
