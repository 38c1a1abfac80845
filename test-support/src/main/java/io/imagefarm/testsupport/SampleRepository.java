package io.imagefarm.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A local git repository with the seed's five hash inputs, for file:// remotes: what a CI webhook
 * names and what workers fetch. Uses the git CLI (installed by the build host setup).
 */
public final class SampleRepository {

    public static final String RUST_TOOLCHAIN = "[toolchain]\nchannel = \"1.83.0\"\n";
    public static final String PACKAGE_JSON = "{\"name\":\"sample\",\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n";
    public static final String PYTHON_VERSION = "3.12.7\n";
    public static final String PYPROJECT = "[project]\nname = \"sample\"\n\n[tool.uv]\nrequired-version = \">=0.5.11\"\n";

    private final Path dir;

    private SampleRepository(Path dir) {
        this.dir = dir;
    }

    /** The five inputs with {@code dockerfile} as {@code .devcontainer/Dockerfile}. */
    public static Map<String, String> seedFiles(String dockerfile) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("rust-toolchain.toml", RUST_TOOLCHAIN);
        files.put("package.json", PACKAGE_JSON);
        files.put(".python-version", PYTHON_VERSION);
        files.put("pyproject.toml", PYPROJECT);
        files.put(".devcontainer/Dockerfile", dockerfile);
        return files;
    }

    /** A new repository under {@code dir} (created), with fetch-by-SHA of any reachable commit allowed. */
    public static SampleRepository init(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SampleRepository repo = new SampleRepository(dir);
        repo.git("init", "-q", "-b", "main");
        repo.git("config", "user.email", "ci@imagefarm.invalid");
        repo.git("config", "user.name", "imagefarm test");
        repo.git("config", "uploadpack.allowReachableSHA1InWant", "true");
        return repo;
    }

    /** Writes (or overwrites) files, commits them all, and returns the commit SHA. */
    public String commit(Map<String, String> files, String message) {
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git("add", "-A");
        git("commit", "-q", "--allow-empty", "-m", message);
        return git("rev-parse", "HEAD").trim();
    }

    public Path dir() {
        return dir;
    }

    /** {@code file://} URL of the repository, as a push webhook's clone_url would carry it. */
    public String url() {
        return dir.toUri().toString();
    }

    private String git(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        Processes.Result r;
        try {
            r = Processes.run(Duration.ofSeconds(30), dir, Map.of(), cmd);
        } catch (RuntimeException e) {
            throw new MissingPartError("git CLI", e.getMessage());
        }
        return r.orThrow().output();
    }
}
