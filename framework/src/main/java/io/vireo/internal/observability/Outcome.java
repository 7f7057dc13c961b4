package io.vireo.internal.observability;

import io.vireo.CallKind;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.internal.runtime.Relay;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How a call or event ended, once, whatever the signal: a unary response followed by the cancel
 * that {@code Flux.next()} sends is OK, not CANCELLED.
 *
 * <p>One operator and one subscriber per subscription, which also times it: the wrappers on the hot
 * path of every call ({@code metrics}, {@code tracing}, {@code logging}) each observe a call
 * through this, where {@code defer} with {@code doOnNext/doOnError/doFinally} and their captured
 * state would be five objects and four operator layers per call and wrapper.
 */
public final class Outcome {
  private Outcome() {}

  /** Told when a subscription starts and, once, how it ended. */
  @FunctionalInterface
  public interface Observer {
    /** A subscription starts (on the subscribing thread). */
    default void started() {}

    /** It ended: completed, failed, or was cancelled. */
    void ended(Ended ended);
  }

  /** The status a call ended with, its error if it failed, and how long it ran. */
  public record Ended(Status status, @Nullable Throwable error, long nanos) {}

  /** Observes the responses of a call of {@code kind}. */
  public static Flux<Object> on(Flux<Object> responses, CallKind kind, Observer observer) {
    return new ObservedFlux(responses, !kind.serverStreams(), observer);
  }

  /** Observes a publish or an event's handling: a cancel is CANCELLED. */
  public static Mono<Void> on(Mono<Void> done, Observer observer) {
    return new ObservedMono(done, observer);
  }

  private static final class ObservedFlux extends Flux<Object> {
    private final Flux<Object> source;
    private final boolean answerEnds;
    private final Observer observer;

    ObservedFlux(Flux<Object> source, boolean answerEnds, Observer observer) {
      this.source = source;
      this.answerEnds = answerEnds;
      this.observer = observer;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Object> actual) {
      source.subscribe(new Watching<>(actual, answerEnds, observer));
    }
  }

  private static final class ObservedMono extends Mono<Void> {
    private final Mono<Void> source;
    private final Observer observer;

    ObservedMono(Mono<Void> source, Observer observer) {
      this.source = source;
      this.observer = observer;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      source.subscribe(new Watching<>(actual, false, observer));
    }
  }

  /**
   * Passes every signal through and reports the first terminal one: complete OK, error its status,
   * cancel CANCELLED, or OK when a call with one answer ({@code answerEnds}) had it.
   */
  private static final class Watching<T> extends Relay<T, T> {
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Watching> REPORTED =
        AtomicIntegerFieldUpdater.newUpdater(Watching.class, "reported");

    private final boolean answerEnds;
    private final Observer observer;
    private final long start;
    private volatile boolean answered;
    private volatile int reported;

    Watching(CoreSubscriber<? super T> actual, boolean answerEnds, Observer observer) {
      super(actual);
      this.answerEnds = answerEnds;
      this.observer = observer;
      this.start = System.nanoTime();
      observer.started();
    }

    @Override
    public void onNext(T value) {
      if (!answered) {
        answered = true;
      }
      actual.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
      // reported once the signal has gone downstream, as doFinally does
      try {
        actual.onError(error);
      } finally {
        report(VireoException.from(error).status(), error);
      }
    }

    @Override
    public void onComplete() {
      try {
        actual.onComplete();
      } finally {
        report(Status.OK, null);
      }
    }

    @Override
    public void cancel() {
      cancelUpstream();
      report(answerEnds && answered ? Status.OK : Status.CANCELLED, null);
    }

    private void report(Status status, @Nullable Throwable error) {
      if (REPORTED.compareAndSet(this, 0, 1)) {
        observer.ended(new Ended(status, error, System.nanoTime() - start));
      }
    }
  }
}
