package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Exactly one build per image and arch across hasher replicas. Every replica may propose a request
 * (the resolver's candidate {@link ImageRequired}); the proposals of one image all land on one
 * partition of the requests topic, and the one replica that owns that partition decides them in
 * partition order: the first proposal for an image the book does not answer for (see {@link BookRules})
 * is accepted, and every later one is dropped while that request is alive. An accepted proposal
 * becomes the image-required event and its REQUESTED status, committed in one transaction with the
 * proposal's offset, so a decision is neither lost nor made twice when the partition moves to another
 * replica (docs/status-state-machine.md). Plain Java: the caller brings the proposals and commits.
 */
public final class RequestDecider {

    private final StatusBook book;
    private final BookRules rules;
    private final Clock clock;

    public RequestDecider(StatusBook book, BookRules rules, Clock clock) {
        this.book = book;
        this.rules = rules;
        this.clock = clock;
    }

    /** The decisions of one batch of proposals, in order; {@link #applyTo} once they are committed. */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {

        private final Map<String, ImageStatus> accepted = new LinkedHashMap<>();
        private final List<ImageRequired> events = new ArrayList<>();

        private Batch() {
        }

        /** @return the REQUESTED status to publish with the proposal as the event, or empty: drop it */
        public Optional<ImageStatus> offer(ImageRequired proposal) {
            if (accepted.containsKey(proposal.image())) {
                return Optional.empty(); // an earlier proposal of this batch was accepted
            }
            Optional<ImageStatus> known = book.get(proposal.image());
            if (known.isPresent() && rules.answers(known.get(), clock.instant())) {
                return Optional.empty();
            }
            ImageStatus requested = ImageStatus.requested(proposal);
            accepted.put(proposal.image(), requested);
            events.add(proposal);
            return Optional.of(requested);
        }

        public List<ImageRequired> events() {
            return List.copyOf(events);
        }

        public List<ImageStatus> statuses() {
            return List.copyOf(accepted.values());
        }

        /** After the commit: the book knows the decisions before the status topic brings them back. */
        public void applyTo() {
            accepted.values().forEach(book::apply);
        }
    }
}
