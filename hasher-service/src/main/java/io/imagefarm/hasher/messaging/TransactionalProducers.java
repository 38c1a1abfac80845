package io.imagefarm.hasher.messaging;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** The settings of the hasher's transactional producers ({@link KafkaPublisher}, {@link RequestDecisions}). */
final class TransactionalProducers {

    private TransactionalProducers() {
    }

    /**
     * @param transactionalId stable per replica and producer: a restarted replica fences its predecessor's open
     *                        transaction at once; with a random id, read_committed consumers (workers, other replicas,
     *                        the janitor) would stall until that transaction timed out
     */
    static Properties props(Map<String, Object> kafka, String transactionalId) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // Kafka's default acks=1 (some clients') would silently turn idempotence off: acks=all explicitly.
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // A replica that dies leaves its open transaction to the coordinator, aborted after this timeout (plus the
        // broker's transaction.abort.timed.out.transaction.cleanup.interval.ms, 1 s in the project's broker configs),
        // so read_committed consumers stall ~10 s at most. A hasher transaction lasts milliseconds.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "8000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return props;
    }
}
