package io.imagefarm.registry.config;

import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.OciNames;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * The one way every service checks its configuration: each numeric and Duration key of a {@code @ConfigMapping}
 * names its range with {@code @WithConverter(Checked.X.class)}. SmallRye Config applies the converter when it maps
 * the configuration at start-up, and its error names the key and the value ({@code The config property
 * imagefarm.worker.max-attempts with the config value "0" threw an Exception whilst being converted must be at least
 * 1}): such a value stops the start, not a request or a job later. Defaults stay in {@code @WithDefault}, and are
 * checked the same way. Here because every service has this module (it is their shared Quarkus layer).
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

    /** Within a day either way: a clock shift for fault drills. */
    public static final class ClockOffset implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d != null && d.abs().compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("must be within a day either way (-P1D to P1D)");
            }
            return d;
        }
    }

    /** 1 or more. */
    public static final class Positive implements Converter<Integer> {
        @Override
        public Integer convert(String value) {
            return value.isBlank() ? null : within(1, Integer.MAX_VALUE, Integer.parseInt(value.strip()));
        }
    }

    /** 0 or more. */
    public static final class NonNegative implements Converter<Integer> {
        @Override
        public Integer convert(String value) {
            return value.isBlank() ? null : within(0, Integer.MAX_VALUE, Integer.parseInt(value.strip()));
        }
    }

    /** 1 to 10000: a page of a listing (OCI tag lists, GitHub's API), which servers cap. */
    public static final class PageSize implements Converter<Integer> {
        @Override
        public Integer convert(String value) {
            return value.isBlank() ? null : within(1, 10_000, Integer.parseInt(value.strip()));
        }
    }

    /** 1 to 32767: a count Kafka keeps as a short (a topic's replication factor). */
    public static final class PositiveShort implements Converter<Short> {
        @Override
        public Short convert(String value) {
            return value.isBlank() ? null : (short) within(1, Short.MAX_VALUE, Integer.parseInt(value.strip()));
        }
    }

    /** A byte count of 1 or more. */
    public static final class PositiveBytes implements Converter<Long> {
        @Override
        public Long convert(String value) {
            return value.isBlank() ? null : within(1L, Long.MAX_VALUE, Long.parseLong(value.strip()));
        }
    }

    /** A byte count of 0 or more. */
    public static final class NonNegativeBytes implements Converter<Long> {
        @Override
        public Long convert(String value) {
            return value.isBlank() ? null : within(0L, Long.MAX_VALUE, Long.parseLong(value.strip()));
        }
    }

    /** A fraction within 0 and 1. */
    public static final class Fraction implements Converter<Double> {
        @Override
        public Double convert(String value) {
            if (value.isBlank()) {
                return null;
            }
            double d = Double.parseDouble(value.strip());
            if (!(d >= 0 && d <= 1)) {
                throw new IllegalArgumentException("must be within 0 and 1");
            }
            return d;
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

    private static long within(long min, long max, long value) {
        if (value < min) {
            throw new IllegalArgumentException("must be at least " + min);
        }
        if (value > max) {
            throw new IllegalArgumentException("must be at most " + max);
        }
        return value;
    }

    private static int within(int min, int max, int value) {
        return (int) within(min, max, (long) value);
    }
}
