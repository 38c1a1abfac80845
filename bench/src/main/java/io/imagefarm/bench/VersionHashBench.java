package io.imagefarm.bench;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The version hash on its own: what {@code POST /api/v1/hash} and every resolve with files compute,
 * from the seed's five files as a request body carries them (text, parsed, validated, hashed).
 * Run by {@code scripts/bench.sh}: {@code java -cp bench/target/bench.jar org.openjdk.jmh.Main VersionHashBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class VersionHashBench {

    private Map<String, String> files;

    /** The seed's five inputs of a realistic polyglot repository (the demo's sample). */
    @Setup
    public void files() {
        files = new LinkedHashMap<>();
        files.put("rust-toolchain.toml", "[toolchain]\nchannel = \"1.83.0\"\ncomponents = [\"clippy\", \"rustfmt\"]\n");
        files.put("package.json", "{\n  \"name\": \"sample\",\n  \"engines\": {\"node\": \"^22.11.0\", \"pnpm\": \"^9.15.0\"}\n}\n");
        files.put(".python-version", "3.12.7\n");
        files.put("pyproject.toml", "[project]\nname = \"sample\"\n\n[tool.uv]\nrequired-version = \">=0.5.11\"\n");
        files.put(".devcontainer/Dockerfile", "FROM quay.io/pypa/manylinux_2_28_x86_64\n"
                + "RUN echo \"toolchains would be installed here\" > /toolchains\n"
                + "RUN echo \"dependencies would be installed here\" > /deps\n");
    }

    /** As the hasher does per request: the body's text to bytes, the six values, the hash. */
    @Benchmark
    public VersionHash hash() {
        return VersionHasher.hash(VersionHasher.inputs(RepositoryFiles.ofText(files)));
    }
}
