package io.imagefarm.cli;

import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.OciNames;
import io.imagefarm.core.image.SourceRepository;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked by the domain's own parsers while the command line is read, so a bad value
 * is a usage error (exit 2) whose message is the parser's.
 */
final class Converters {

    private Converters() {
    }

    static final class Repository implements ITypeConverter<SourceRepository> {
        @Override
        public SourceRepository convert(String value) {
            try {
                return SourceRepository.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Registry implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return OciNames.requireRegistry(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Architecture implements ITypeConverter<Arch> {
        @Override
        public Arch convert(String value) {
            try {
                return Arch.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class IsoDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not an ISO-8601 duration such as PT30M or PT90S");
            }
        }
    }

    /** The architecture names, for help texts and shell completion. */
    static final class ArchIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Arch.values()).map(Arch::id).iterator();
        }
    }
}
