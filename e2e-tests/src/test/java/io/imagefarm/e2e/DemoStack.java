package io.imagefarm.e2e;

import io.imagefarm.testsupport.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The embedded stack as the tests drive it: {@code scripts/demo-stack.sh} in one folder. */
final class DemoStack {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private DemoStack() {
    }

    /**
     * Starts a stack from nothing in {@code dir} (the stack keeps its data in its folder, like a
     * deployment, so a leftover one is stopped and removed first), each part's JVM options given, the
     * script's environment extended by {@code env}; returns the stack's client.
     */
    static StackClient startFresh(Path dir, Map<String, List<String>> partOptions, Map<String, String> env) throws IOException {
        return startFresh(dir, partOptions, env, List.of());
    }

    /**
     * {@link #startFresh(Path, Map, Map)} with more arguments to {@code demo-stack.sh start DIR}, e.g. a farm:
     * {@code List.of("--brokers", "3", "--hashers", "2", "--workers", "amd64=2,arm64=1")}. Part options may be
     * given by a part's name ({@code hasher-2}) or by the single stack's name of the first ({@code hasher}).
     */
    static StackClient startFresh(Path dir, Map<String, List<String>> partOptions, Map<String, String> env,
            List<String> startArgs) throws IOException {
        run(dir, "stop");
        Processes.run(Duration.ofSeconds(30), List.of("rm", "-rf", dir.toString())).orThrow();
        Files.createDirectories(dir.resolve("opts"));
        for (Map.Entry<String, List<String>> part : partOptions.entrySet()) {
            Files.write(dir.resolve("opts").resolve(part.getKey()), part.getValue());
        }
        List<String> command = new ArrayList<>(List.of("scripts/demo-stack.sh", "start", dir.toString()));
        command.addAll(startArgs);
        Processes.run(Duration.ofMinutes(5), ROOT, env, command).orThrow();
        return StackClient.load(dir.resolve("stack.env"));
    }

    /**
     * {@code demo-stack.sh COMMAND DIR ARGS...}; fails on a non-zero exit, except for a whole-stack
     * {@code stop}, which tears down whatever is there.
     */
    static Processes.Result run(Path dir, String command, String... args) {
        List<String> line = new ArrayList<>(List.of("scripts/demo-stack.sh", command, dir.toString()));
        line.addAll(List.of(args));
        Processes.Result r = Processes.run(Duration.ofMinutes(5), ROOT, Map.of(), line);
        return command.equals("stop") && args.length == 0 ? r : r.orThrow();
    }
}
