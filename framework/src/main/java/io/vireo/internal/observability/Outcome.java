package io.vireo.internal.observability;

import io.vireo.CallKind;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.internal.runtime.Relay;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * How a call or event ended, once, whatever the signal: a unary response followed by the cancel
 * that {@code Flux.next()} sends is OK, not CANCELLED.
 *
 * <p>One operator and one subscriber per subscription, which also times it: the wrappers on the hot
 * path of every call ({@code metrics}, {@code tracing}, {@code logging}) each observe a call
 * through this, where {@code defer} with {@code doOnNext/doOnError/doFinally} and their captured
 * state would be five objects and four operator layers per call and wrapper.
 *
 * <p>The wrappers of a chain each observe what the next one returns: an observed {@code Flux} given
 * to {@link #on} again, and the responses a {@link #deferred} start returns, become one operator
 * with the observers in order, outermost first. With {@code metrics}, {@code tracing} and {@code
 * logging} on, a call went through three observers, a {@code defer} and a {@code contextWrite},
 * each a publisher and a subscriber that every signal passed, with a clock read and a CAS each; now
 * it goes through one.
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

  /**
   * What a wrapper starts when a call is subscribed: the responses, how it observes them, and, if
   * not null, the context they run in, made from the subscriber's.
   */
  public record Start(
      Flux<Object> responses, Observer observer, @Nullable UnaryOperator<Context> context) {}

  /** Observes the responses of a call of {@code kind}. */
  public static Flux<Object> on(Flux<Object> responses, CallKind kind, Observer observer) {
    boolean answerEnds = !kind.serverStreams();
    if (responses instanceof ObservedFlux inner && inner.answerEnds == answerEnds) {
      return new ObservedFlux(inner.source, answerEnds, joined(NONE, observer, inner.observers));
    }
    if (responses instanceof DeferredFlux inner && inner.answerEnds == answerEnds) {
      return new DeferredFlux(answerEnds, inner.start, joined(NONE, observer, inner.outer));
    }
    return new ObservedFlux(responses, answerEnds, joined(NONE, observer, NONE));
  }

  /**
   * The responses that {@code start} makes when a call of {@code kind} is subscribed, observed as
   * {@link #on} does, in the context it gives: {@code Flux.defer}, the observer and {@code
   * contextWrite} as one operator.
   */
  public static Flux<Object> deferred(CallKind kind, Function<Context, Start> start) {
    return new DeferredFlux(!kind.serverStreams(), start, NONE);
  }

  /** Observes a publish or an event's handling: a cancel is CANCELLED. */
  public static Mono<Void> on(Mono<Void> done, Observer observer) {
    return new ObservedMono(done, observer);
  }

  private static final Observer[] NONE = {};

  /**
   * {@code outer}, then {@code middle}, then {@code inner}: a chain's observers, outermost first.
   */
  private static Observer[] joined(Observer[] outer, Observer middle, Observer[] inner) {
    Observer[] all = new Observer[outer.length + 1 + inner.length];
    System.arraycopy(outer, 0, all, 0, outer.length);
    all[outer.length] = middle;
    System.arraycopy(inner, 0, all, outer.length + 1, inner.length);
    return all;
  }

  private static final class ObservedFlux extends Flux<Object> {
    private final Flux<Object> source;
    private final boolean answerEnds;
    private final Observer[] observers;

    ObservedFlux(Flux<Object> source, boolean answerEnds, Observer[] observers) {
      this.source = source;
      this.answerEnds = answerEnds;
      this.observers = observers;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Object> actual) {
      source.subscribe(new Watching<>(actual, answerEnds, observers, null));
    }
  }

  private static final class DeferredFlux extends Flux<Object> {
    private final boolean answerEnds;
    private final Function<Context, Start> start;
    private final Observer[] outer; // of the wrappers around this one

    DeferredFlux(boolean answerEnds, Function<Context, Start> start, Observer[] outer) {
      this.answerEnds = answerEnds;
      this.start = start;
      this.outer = outer;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Object> actual) {
      Context downstream = actual.currentContext();
      Start started;
      try {
        started = Objects.requireNonNull(start.apply(downstream), "start");
      } catch (Throwable e) {
        // as Flux.defer: the error to the subscriber, seen by the wrappers around this one
        Operators.error(
            new Watching<>(actual, answerEnds, outer, null),
            Operators.onOperatorError(e, downstream));
        return;
      }
      Flux<Object> source = started.responses();
      Observer[] inner = NONE;
      if (source instanceof ObservedFlux observed && observed.answerEnds == answerEnds) {
        inner = observed.observers;
        source = observed.source;
      }
      Observer[] observers = joined(outer, started.observer(), inner);
      UnaryOperator<Context> context = started.context();
      source.subscribe(
          new Watching<>(
              actual, answerEnds, observers, context == null ? null : context.apply(downstream)));
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
      source.subscribe(new Watching<>(actual, false, joined(NONE, observer, NONE), null));
    }
  }

  /**
   * Passes every signal through and reports the first terminal one to each observer: complete OK,
   * error its status, cancel CANCELLED, or OK when a call with one answer ({@code answerEnds}) had
   * it. An observer that throws does not keep the others from being told; the first error is
   * rethrown after all were.
   */
  private static final class Watching<T> extends Relay<T, T> {
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Watching> REPORTED =
        AtomicIntegerFieldUpdater.newUpdater(Watching.class, "reported");

    private final boolean answerEnds;
    private final Observer[] observers;
    private final @Nullable Context context;
    private final long start;
    private volatile boolean answered;
    private volatile int reported;

    Watching(
        CoreSubscriber<? super T> actual,
        boolean answerEnds,
        Observer[] observers,
        @Nullable Context context) {
      super(actual);
      this.answerEnds = answerEnds;
      this.observers = observers;
      this.context = context;
      this.start = System.nanoTime();
      RuntimeException failed = null;
      for (Observer observer : observers) {
        try {
          observer.started();
        } catch (RuntimeException e) {
          failed = first(failed, e);
        }
      }
      if (failed != null) {
        throw failed;
      }
    }

    @Override
    public Context currentContext() {
      Context own = context;
      return own != null ? own : actual.currentContext();
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
      if (!REPORTED.compareAndSet(this, 0, 1)) {
        return;
      }
      Ended ended = new Ended(status, error, System.nanoTime() - start);
      RuntimeException failed = null;
      for (Observer observer : observers) {
        try {
          observer.ended(ended);
        } catch (RuntimeException e) {
          failed = first(failed, e);
        }
      }
      if (failed != null) {
        throw failed;
      }
    }

    private static RuntimeException first(@Nullable RuntimeException first, RuntimeException next) {
      if (first == null) {
        return next;
      }
      first.addSuppressed(next);
      return first;
    }
  }
}
