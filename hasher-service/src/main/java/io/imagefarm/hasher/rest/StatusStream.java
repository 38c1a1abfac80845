package io.imagefarm.hasher.rest;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.hasher.resolve.StatusBook;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.Flow.Processor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Every status the book takes in, as a hot stream for Server-Sent Events. Memory stays bounded
 * whatever the listeners do: at most {@link #MAX_LISTENERS} at once, and a listener too slow to take
 * its statuses loses the ones it cannot take (the page then re-reads the board) rather than
 * buffering them.
 */
@Singleton
public class StatusStream {

    public static final int MAX_LISTENERS = 500;

    private final BroadcastProcessor<ImageStatus> processor = BroadcastProcessor.create();
    private final AtomicInteger listeners = new AtomicInteger();

    public StatusStream(StatusBook book) {
        // The book changes on the consumer's thread and on request threads (write-through): serialize.
        Processor<ImageStatus, ImageStatus> serialized = processor.serialized();
        book.onChange(serialized::onNext);
    }

    /** @return the stream for one listener, or empty when too many listen already */
    public Optional<Multi<ImageStatus>> listen(Predicate<ImageStatus> filter) {
        if (listeners.incrementAndGet() > MAX_LISTENERS) {
            listeners.decrementAndGet();
            return Optional.empty();
        }
        return Optional.of(processor
                .filter(filter)
                .onOverflow().drop()
                .onTermination().invoke(listeners::decrementAndGet));
    }
}
