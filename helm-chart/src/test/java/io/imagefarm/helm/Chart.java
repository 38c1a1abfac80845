package io.imagefarm.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.core.JsonParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart in deploy/helm/imagefarm, linted and rendered by Helm embedded through helm-java (no helm
 * binary, no cluster): the values sets the tests use, and the rendered objects as YAML trees.
 */
final class Chart {

    static final String RELEASE = "farm";
    static final String NAMESPACE = "imagefarm";
    /** A version the chart supports (kubeVersion >= 1.29); helm-java's own default is 1.20. */
    static final String KUBE_VERSION = "v1.31.0";

    private static final YAMLMapper YAML = new YAMLMapper();

    static final Path REPO = findRepo();
    static final Path DIR = REPO.resolve("deploy/helm/imagefarm");

    private Chart() {
    }

    private static Path findRepo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/helm/imagefarm/Chart.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no deploy/helm/imagefarm/Chart.yaml above " + Path.of("").toAbsolutePath());
    }

    /** The chart-testing values files: deploy/helm/imagefarm/ci/*.yaml. */
    static List<Path> ciValuesFiles() {
        try (Stream<Path> files = Files.list(DIR.resolve("ci"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every values set the chart must render: the defaults (null) and each ci file. */
    static Stream<Path> valuesSets() {
        List<Path> sets = new ArrayList<>();
        sets.add(null);
        sets.addAll(ciValuesFiles());
        return sets.stream();
    }

    static String label(Path valuesFile) {
        return valuesFile == null ? "default values" : "ci/" + valuesFile.getFileName();
    }

    /** {@code helm template} with the chart's values and, if given, one values file on top. */
    static String template(Path valuesFile) {
        return template(valuesFile, KUBE_VERSION);
    }

    static String template(Path valuesFile, String kubeVersion) {
        TemplateCommand t = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(kubeVersion);
        if (valuesFile != null) {
            t = t.withValuesFile(valuesFile);
        }
        return t.call();
    }

    /** The rendered objects, one YAML tree each (empty documents dropped). */
    static List<ObjectNode> render(Path valuesFile) {
        return parseAll(template(valuesFile));
    }

    static List<ObjectNode> parseAll(String manifests) {
        List<ObjectNode> docs = new ArrayList<>();
        try (JsonParser parser = new YAMLFactory().createParser(manifests)) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && !doc.isEmpty()) {
                    docs.add((ObjectNode) doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the rendered manifests are not YAML", e);
        }
        return docs;
    }

    /**
     * {@code helm lint --strict} as if {@code -f valuesFile} were given: helm-java's lint takes no values
     * file, so the chart is copied and its values.yaml replaced by the defaults with the file merged on
     * top the way Helm merges values (maps key by key, anything else replaced).
     */
    static LintResult lint(Path valuesFile, Path scratch) {
        Path chart = DIR;
        if (valuesFile != null) {
            chart = scratch.resolve("imagefarm");
            copyTree(DIR, chart);
            ObjectNode merged = merge((ObjectNode) readYaml(DIR.resolve("values.yaml")), (ObjectNode) readYaml(valuesFile));
            try {
                YAML.writeValue(chart.resolve("values.yaml").toFile(), merged);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Helm(chart).lint().strict().call();
    }

    /** The values a render sees: the chart's defaults with the file merged on top. */
    static ObjectNode values(Path valuesFile) {
        ObjectNode defaults = (ObjectNode) readYaml(DIR.resolve("values.yaml"));
        return valuesFile == null ? defaults : merge(defaults, (ObjectNode) readYaml(valuesFile));
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode merge(ObjectNode base, ObjectNode top) {
        ObjectNode out = base.deepCopy();
        for (Map.Entry<String, JsonNode> e : top.properties()) {
            JsonNode old = out.get(e.getKey());
            if (old instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) {
                out.set(e.getKey(), merge(o, n));
            } else if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
