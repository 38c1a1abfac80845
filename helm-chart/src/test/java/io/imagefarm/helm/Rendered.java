package io.imagefarm.helm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** One render, its objects in their models: what the assertions on the farm read. */
record Rendered(List<ObjectNode> trees, List<HasMetadata> objects) {

    static Rendered of(Path valuesFile) {
        List<ObjectNode> trees = Chart.render(valuesFile);
        List<HasMetadata> objects = trees.stream().filter(t -> StrictModels.MODELS.containsKey(StrictModels.typeOf(t)))
                .map(StrictModels::parse).toList();
        return new Rendered(trees, objects);
    }

    <T extends HasMetadata> Stream<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast);
    }

    Stream<ObjectNode> trees(String type) {
        return trees.stream().filter(t -> StrictModels.typeOf(t).equals(type));
    }

    Deployment deployment(String name) {
        return all(Deployment.class).filter(d -> d.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    /** The worker pools: Deployments labelled with their arch. */
    Stream<Deployment> workerPools() {
        return all(Deployment.class).filter(d -> d.getMetadata().getLabels().containsKey("imagefarm.io/arch"));
    }

    static Stream<Container> containers(PodSpec pod) {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream());
    }

    static Container container(Deployment d, String name) {
        return containers(d.getSpec().getTemplate().getSpec()).filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(d.getMetadata().getName() + " has no container " + name));
    }

    static Optional<String> env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst();
    }
}
