package io.imagefarm.core.hash;

import java.util.List;

/** The five repository files the seed's bash step reads, by path relative to the repository root. */
public final class HashInputs {

    public static final String RUST_TOOLCHAIN = "rust-toolchain.toml";
    public static final String PACKAGE_JSON = "package.json";
    public static final String PYTHON_VERSION = ".python-version";
    public static final String PYPROJECT = "pyproject.toml";
    public static final String DOCKERFILE = ".devcontainer/Dockerfile";

    public static final List<String> ALL = List.of(RUST_TOOLCHAIN, PACKAGE_JSON, PYTHON_VERSION, PYPROJECT, DOCKERFILE);

    private HashInputs() {
    }
}
