package io.imagefarm.core.hash;

/**
 * Bounds on the hash inputs that are parsed: rust-toolchain.toml and pyproject.toml (tomlj) and
 * package.json (Jackson). A repository controls these files and both parsers recurse once per level of
 * nesting, so without a bound a small hostile file ends in a {@link StackOverflowError} instead of a
 * refusal. Every bound is checked before or while parsing and refused with an
 * {@link InvalidRepositoryFilesException} naming the file (and the line and column where known).
 * Real files are a few hundred bytes and nest two or three levels, so no valid input comes near them.
 * The seed's jq and yq accept deeper files; imagefarm refuses them rather than risk the service.
 */
public final class ParseLimits {

    /**
     * Largest TOML or JSON hash input, in bytes. The same as the hasher's default
     * {@code imagefarm.hasher.source.max-file-bytes}, so whatever a source fetches can be parsed;
     * files that arrive another way (the API body, the CLI's checkout) get the same bound here.
     */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /**
     * Deepest nesting of arrays and tables: TOML arrays and inline tables inside a value
     * ({@code a = [[1]]} is 2; {@code [table]} headers do not nest), JSON arrays and objects
     * ({@code {"engines":{"node":"22"}}} is 2). A depth of exactly this many levels is accepted.
     */
    public static final int MAX_NESTING_DEPTH = 64;

    private ParseLimits() {
    }

    /** Refuses a file over {@link #MAX_FILE_BYTES} before anything reads it. */
    static void checkSize(String file, byte[] bytes) {
        if (bytes.length > MAX_FILE_BYTES) {
            throw new InvalidRepositoryFilesException(file, "is " + bytes.length + " bytes; the limit is " + MAX_FILE_BYTES);
        }
    }

    /** The refusal for nesting over {@link #MAX_NESTING_DEPTH}, e.g. "TOML nested deeper than 64 levels at line 1, column 69". */
    static InvalidRepositoryFilesException tooDeep(String file, String format, String containers, long line, long column) {
        return new InvalidRepositoryFilesException(file, located(format + " nested deeper than " + MAX_NESTING_DEPTH
                + " levels of " + containers, line, column));
    }

    /**
     * {@code what} followed by " at line L, column C" where both are known (positive); parsers do not always
     * know where they are, and a missing position must not hide the problem.
     */
    static String located(String what, long line, long column) {
        return line > 0 && column > 0 ? what + " at line " + line + ", column " + column : what;
    }
}
