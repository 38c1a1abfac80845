package io.imagefarm.core.hash;

import java.math.BigDecimal;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * What {@code yq -p toml -oy '.a.b' file} (mikefarah yq) prints for the seed's TOML lookups: a
 * string raw, a number or boolean as its value, a missing key (or a key under a non-table) as
 * {@code null}. Arrays, tables and dates have no single-line form the bash step could rely on,
 * so they are refused rather than guessed.
 */
final class TomlText {

    private TomlText() {
    }

    /**
     * The parsed file, within {@link ParseLimits}: a file over the size limit is refused before it is
     * decoded, and one nested too deep before tomlj can recurse on it (see {@link BoundedToml}).
     */
    static TomlParseResult parse(String file, byte[] bytes) {
        ParseLimits.checkSize(file, bytes);
        String text = Utf8.decode(file, bytes);
        TomlParseResult result;
        try {
            result = BoundedToml.parse(file, text);
        } catch (TomlParseError e) {
            // tomlj 1.1.1 throws some errors (an invalid escape such as "\[") instead of listing them
            throw invalidToml(file, e);
        }
        if (result.hasErrors()) {
            throw invalidToml(file, result.errors().get(0));
        }
        return result;
    }

    private static InvalidRepositoryFilesException invalidToml(String file, TomlParseError error) {
        TomlPosition position = error.position();
        return new InvalidRepositoryFilesException(file, ParseLimits.located("invalid TOML",
                position != null ? position.line() : 0, position != null ? position.column() : 0) + ": " + error.getMessage());
    }

    static String path(String file, TomlParseResult toml, String... path) {
        Object node = toml;
        for (String key : path) {
            if (!(node instanceof TomlTable table)) {
                return "null";
            }
            node = table.get(java.util.List.of(key));
            if (node == null) {
                return "null";
            }
        }
        return BashText.commandSubstitution(scalar(file, String.join(".", path), node));
    }

    private static String scalar(String file, String key, Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Long || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Double d) {
            return goFloat(d);
        }
        throw new InvalidRepositoryFilesException(file, "'" + key + "' must be a string, number or boolean, not "
                + value.getClass().getSimpleName().replace("Toml", "").toLowerCase());
    }

    /** Go's {@code %v} for a float64: shortest digits, exponent form below 1e-4 and from 1e21. */
    static String goFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = shortest.precision() - shortest.scale() - 1;
        if (exponent < -4 || exponent >= 21) {
            String digits = shortest.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = String.format("%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
            return (d < 0 ? "-" : "") + mantissa + "e" + exp;
        }
        return shortest.toPlainString();
    }
}
