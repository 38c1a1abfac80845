package io.imagefarm.testsupport;

import io.imagefarm.core.io.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker (the BOM's kafka-clients version) in this JVM, in KRaft mode with one
 * combined broker/controller node. Starts in a few seconds; nothing is mocked.
 */
public final class InProcessKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;

    private InProcessKafka(KafkaClusterTestKit cluster, Path dataDir) {
        this.cluster = cluster;
        this.dataDir = dataDir;
    }

    public static InProcessKafka start() {
        Path dataDir = null;
        try {
            dataDir = Files.createTempDirectory("imagefarm-kafka-");
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dataDir)
                    .build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "3")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new InProcessKafka(cluster, dataDir);
        } catch (Exception e) {
            if (dataDir != null) {
                FileTrees.delete(dataDir);
            }
            throw new IllegalStateException("cannot start the in-process Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the in-process Kafka broker", e);
        } finally {
            FileTrees.delete(dataDir);
        }
    }
}
