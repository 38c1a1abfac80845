package io.imagefarm.worker.config;

import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.OciNames;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Converters for {@link WorkerConfig} values that parse but that the worker cannot run with. SmallRye
 * Config applies them when it maps the configuration at start-up, and its error names the key
 * ({@code The config property imagefarm.worker.max-attempts with the config value "0" threw an Exception
 * whilst being converted must be at least 1}): such a value must stop the start, not fail a job later.
 */
public final class Checked {

    private Checked() {
    }

    /** Above zero; {@code PT30S} or Quarkus' short form {@code 30s}. */
    public static final class PositiveDuration implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d != null && (d.isZero() || d.isNegative())) {
                throw new IllegalArgumentException("must be above zero, e.g. PT30S");
            }
            return d;
        }
    }

    /** Zero or more. */
    public static final class NonNegativeDuration implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d != null && d.isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
            return d;
        }
    }

    /** 1 or more. */
    public static final class Positive implements Converter<Integer> {
        @Override
        public Integer convert(String value) {
            return value.isBlank() ? null : atLeast(1, Integer.parseInt(value.strip()));
        }
    }

    /** 0 or more. */
    public static final class NonNegative implements Converter<Integer> {
        @Override
        public Integer convert(String value) {
            return value.isBlank() ? null : atLeast(0, Integer.parseInt(value.strip()));
        }
    }

    /** A byte count of 1 or more. */
    public static final class PositiveBytes implements Converter<Long> {
        @Override
        public Long convert(String value) {
            return value.isBlank() ? null : atLeast(1L, Long.parseLong(value.strip()));
        }
    }

    /** A registry as image refs name it: {@code host[:port]}. */
    public static final class RegistryHost implements Converter<String> {
        @Override
        public String convert(String value) {
            return value.isBlank() ? null : OciNames.requireRegistry(value.strip());
        }
    }

    /** A beat interval within {@link WorkerBeat#MIN_INTERVAL} and {@link WorkerBeat#MAX_INTERVAL}: what the hasher accepts. */
    public static final class BeatInterval implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            return d == null ? null : WorkerBeat.requireInterval(d);
        }
    }

    /** An instance id the worker's beats can carry ({@link WorkerBeat#requireInstanceId}). */
    public static final class InstanceId implements Converter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                return null;
            }
            try {
                return WorkerBeat.requireInstanceId(value.strip());
            } catch (InvalidEventException e) {
                throw new IllegalArgumentException(e.getMessage().replace("WorkerBeat: ", ""));
            }
        }
    }

    private static Duration duration(String value) {
        return value.isBlank() ? null : DurationConverter.parseDuration(value.strip());
    }

    private static long atLeast(long min, long value) {
        if (value < min) {
            throw new IllegalArgumentException("must be at least " + min);
        }
        return value;
    }

    private static int atLeast(int min, int value) {
        return (int) atLeast(min, (long) value);
    }
}
