package io.imagefarm.hasher;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.hasher.webhook.WebhookSignature;
import io.imagefarm.testsupport.SharedParts;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Shared bits of the hasher's integration tests. */
public final class HasherFixtures {

    public static final String WEBHOOK_SECRET = "it-webhook-secret";
    public static final WebhookSignature SIGNER = new WebhookSignature(WEBHOOK_SECRET);
    /** API tokens of the test profile (only their SHA-256 digests are in application.properties). */
    public static final String ADMIN_TOKEN = "it-admin-token";
    public static final String CI_TOKEN = "it-ci-token-acme";

    /** A request with the admin API token: tests about other things than authorization use it. */
    public static RequestSpecification asAdmin() {
        return RestAssured.given().auth().oauth2(ADMIN_TOKEN);
    }

    private HasherFixtures() {
    }

    /** A Dockerfile unique to the calling test, so each test owns its version hash. */
    public static String uniqueDockerfile() {
        return "FROM scratch\n# " + UUID.randomUUID() + "\n";
    }

    public static byte[] pushPayload(String fullName, String commit, String cloneUrl) {
        return ("{\"ref\":\"refs/heads/main\",\"before\":\"" + "0".repeat(40) + "\",\"after\":\"" + commit + "\","
                + "\"deleted\":false,\"repository\":{\"full_name\":\"" + fullName + "\",\"clone_url\":\"" + cloneUrl + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes a status as a worker (or another replica) would, straight to the topic. */
    public static void publishStatus(ImageStatus status) {
        publish(Topics.IMAGE_STATUS, status.image(), EventCodec.encodeToString(status));
    }

    /** Writes a record (null value: a tombstone) straight to a topic, as anything that can produce to it could. */
    public static void publish(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedParts.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }
}
