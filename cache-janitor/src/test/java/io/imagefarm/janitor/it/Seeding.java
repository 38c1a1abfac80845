package io.imagefarm.janitor.it;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.RegistrySeeder.Pushed;
import io.imagefarm.testsupport.SharedParts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test seeding beyond {@link RegistrySeeder}: images without a push time, several tags or none, and usage records. */
public final class Seeding {

    private Seeding() {
    }

    /** An image under every tag, or by digest if there are none; {@code created} null omits the push time. */
    public static Pushed image(RegistrySeeder seeder, String repo, String arch, Instant created, String salt, List<String> tags) {
        return seeder.pushImage(repo, tags, arch, created, salt);
    }

    /** An OCI index over {@code children} under every tag, or by digest if there are none. */
    public static Pushed index(RegistrySeeder seeder, String repo, List<Pushed> children, List<String> tags) {
        return seeder.pushIndex(repo, tags, children);
    }

    /**
     * An OCI index over {@code children}, as buildx writes a provenance index: a child that attests another
     * ({@code attests}: child digest to the image's digest) gets platform {@code unknown/unknown} and
     * buildx's {@code vnd.docker.reference.*} annotations.
     */
    public static Pushed index(RegistrySeeder seeder, String repo, List<Pushed> children, List<String> tags,
                               Map<String, String> attests) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + RegistrySeeder.OCI_INDEX + "\",\"manifests\":[");
        for (int i = 0; i < children.size(); i++) {
            Pushed c = children.get(i);
            String image = attests.get(c.digest());
            json.append(i > 0 ? "," : "").append("{\"mediaType\":\"").append(c.mediaType()).append("\",\"digest\":\"")
                    .append(c.digest()).append("\",\"size\":").append(c.size());
            if (image != null) {
                json.append(",\"annotations\":{\"vnd.docker.reference.digest\":\"").append(image)
                        .append("\",\"vnd.docker.reference.type\":\"attestation-manifest\"}")
                        .append(",\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}");
            } else {
                json.append(",\"platform\":{\"architecture\":\"").append(c.arch()).append("\",\"os\":\"linux\"}}");
            }
        }
        byte[] body = json.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Pushed pushed = null;
        for (String reference : tags.isEmpty() ? List.of(RegistrySeeder.sha256(body)) : tags) {
            pushed = seeder.putManifest(repo, reference, RegistrySeeder.OCI_INDEX, body, null);
        }
        return pushed;
    }

    /** Publishes the hasher's index-ref records (last request per hash) to the real status topic and waits for the acks. */
    public static void requested(String image, Map<String, Instant> lastRequestedByHash) {
        ensureStatusTopic();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedParts.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (Map.Entry<String, Instant> e : lastRequestedByHash.entrySet()) {
                String ref = image + ":builder-" + e.getKey();
                ImageStatus status = ImageStatus.index(ref, image.substring(image.indexOf('/') + 1), e.getKey(), BuildState.EXISTS,
                        null, e.getValue(), e.getValue());
                producer.send(new ProducerRecord<>(Topics.IMAGE_STATUS, ref, EventCodec.encodeToString(status))).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish status records", e);
        }
    }

    /** The compacted status topic, as the hasher creates it. */
    public static synchronized void ensureStatusTopic() {
        Properties props = new Properties();
        props.put("bootstrap.servers", SharedParts.kafka().bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.IMAGE_STATUS)) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(Topics.IMAGE_STATUS, 3, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create " + Topics.IMAGE_STATUS, e);
            }
        }
    }

    public static Map<String, Object> kafkaConfig() {
        return Map.of("bootstrap.servers", SharedParts.kafka().bootstrapServers());
    }
}
