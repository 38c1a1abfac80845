package io.imagefarm.janitor.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.testsupport.SharedParts;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Two replicas' leases on the real broker: exactly one leads; when it goes, the other takes over. */
class KafkaLeaseIT {

    @Test
    void twoReplicasNeverBothHoldTheLeaseAndTheSecondTakesOverWhenTheFirstStops() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> kafka = Map.of("bootstrap.servers", SharedParts.kafka().bootstrapServers());
        String topic = "imagefarm.janitor-lease-" + suffix;
        String group = "janitor-lease-it-" + suffix;
        KafkaLease a = new KafkaLease(kafka, topic, group, Duration.ofSeconds(6), Clock.systemUTC());
        KafkaLease b = new KafkaLease(kafka, topic, group, Duration.ofSeconds(6), Clock.systemUTC());
        AtomicBoolean both = new AtomicBoolean();
        try {
            a.start();
            b.start();
            await("one leader").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                both.compareAndSet(false, a.held() && b.held());
                return a.held() ^ b.held();
            });
            // stays with one replica
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                both.compareAndSet(false, a.held() && b.held());
                return a.held() ^ b.held();
            });
            KafkaLease leader = a.held() ? a : b;
            KafkaLease follower = leader == a ? b : a;

            leader.close();
            assertThat(leader.held()).isFalse();
            await("takeover").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                both.compareAndSet(false, a.held() && b.held());
                return follower.held();
            });
            assertThat(both).as("both held the lease at some point").isFalse();
        } finally {
            a.close();
            b.close();
        }
    }
}
