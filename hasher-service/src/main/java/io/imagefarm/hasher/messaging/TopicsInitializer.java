package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.config.HasherConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates the pipeline's topics before the messaging channels start: the status topic must be
 * compacted (a broker's auto-created topic would not be), and the per-arch work topics need enough
 * partitions for the workers of each arch to scale.
 */
@ApplicationScoped
public class TopicsInitializer {

    private static final Logger LOG = Logger.getLogger(TopicsInitializer.class);

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored, HasherConfig config,
                 @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        if (!config.topics().create()) {
            return;
        }
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(Topics.IMAGE_STATUS, config.topics().partitions(), config.topics().replicationFactor())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        wanted.add(new NewTopic(Topics.JANITOR_REPORTS, 1, config.topics().replicationFactor()));
        for (Arch a : config.arches()) {
            wanted.add(new NewTopic(Topics.imageRequired(a), config.topics().partitions(), config.topics().replicationFactor()));
            wanted.add(new NewTopic(Topics.imageRequiredRetry(a), config.topics().partitions(), config.topics().replicationFactor()));
            wanted.add(new NewTopic(Topics.imageRequiredDeadLetter(a), 1, config.topics().replicationFactor()));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the pipeline's Kafka topics at " + bootstrap + ": " + e.getCause(), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the pipeline's Kafka topics at " + bootstrap + ": " + e, e);
        }
    }
}
