package io.imagefarm.worker.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/** Logs and counts partition assignments and revocations: a long build must cause none. */
@ApplicationScoped
@Identifier(Channels.REBALANCE_LISTENER)
public class RebalanceTracker implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(RebalanceTracker.class);

    private final MeterRegistry registry;

    RebalanceTracker(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        registry.counter("imagefarm.worker.partitions.assigned").increment(partitions.size());
        LOG.infof("partitions assigned: %s", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            registry.counter("imagefarm.worker.partitions.revoked").increment(partitions.size());
            LOG.infof("partitions revoked: %s", partitions);
        }
    }
}
