package io.vireo.internal.runtime;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * Deadlines for calls, on one shared timer wheel.
 *
 * <p>Every call has a deadline, so arming and disarming one must be cheap: Reactor's {@code
 * timeout(Duration)} schedules on a contended {@code ScheduledThreadPoolExecutor} and builds an
 * error description at subscribe time; a hashed wheel arms in O(1) without a lock. A tick of 10 ms
 * is precise enough for deadlines. A unary call's deadline is one operator (one subscriber that is
 * also the timer task); a stream's is composed of Reactor operators, paid once per stream rather
 * than per message.
 */
final class Deadlines {
  private static final HashedWheelTimer WHEEL =
      new HashedWheelTimer(
          runnable -> {
            Thread thread = new Thread(runnable, "vireo-deadlines");
            thread.setDaemon(true);
            return thread;
          },
          10,
          TimeUnit.MILLISECONDS,
          512);

  private Deadlines() {}

  /** Runs {@code task} once, {@code nanos} from now, unless the returned timeout is cancelled. */
  static Timeout arm(TimerTask task, long nanos) {
    return WHEEL.newTimeout(task, nanos, TimeUnit.NANOSECONDS);
  }

  /** Emits once, {@code delay} from subscription; cancelling disarms it. */
  static Mono<Long> after(Duration delay) {
    long nanos = delay.toNanos();
    return Mono.create(
        sink -> {
          Timeout timeout = WHEEL.newTimeout(t -> sink.success(0L), nanos, TimeUnit.NANOSECONDS);
          sink.onCancel(timeout::cancel);
        });
  }

  /** {@code source}, cancelled with {@code error} if it has not finished within {@code limit}. */
  static <T> Mono<T> within(Mono<T> source, Duration limit, Supplier<? extends Throwable> error) {
    return new DeadlineMono<>(source, limit.toNanos(), error);
  }

  /** {@code source}, cancelled with {@code error} if it has not completed within {@code limit}. */
  static <T> Flux<T> within(Flux<T> source, Duration limit, Supplier<? extends Throwable> error) {
    return Flux.defer(
        () -> {
          AtomicBoolean expired = new AtomicBoolean();
          return source
              .takeUntilOther(after(limit).doOnNext(tick -> expired.set(true)))
              .concatWith(Mono.defer(() -> expired.get() ? Mono.error(error.get()) : Mono.empty()));
        });
  }

  private static final class DeadlineMono<T> extends Mono<T> {
    private final Mono<T> source;
    private final long nanos;
    private final Supplier<? extends Throwable> error;

    DeadlineMono(Mono<T> source, long nanos, Supplier<? extends Throwable> error) {
      this.source = source;
      this.nanos = nanos;
      this.error = error;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
      source.subscribe(new DeadlineSubscriber<>(actual, nanos, error));
    }
  }

  /** Forwards the first signal of a Mono, or the deadline's error, whichever comes first. */
  private static final class DeadlineSubscriber<T> extends Relay<T, T> implements TimerTask {
    private static final AtomicIntegerFieldUpdater<DeadlineSubscriber> DONE =
        AtomicIntegerFieldUpdater.newUpdater(DeadlineSubscriber.class, "done");

    private final long nanos;
    private final Supplier<? extends Throwable> error;
    private volatile @Nullable Timeout timeout;
    private volatile int done;

    DeadlineSubscriber(
        CoreSubscriber<? super T> actual, long nanos, Supplier<? extends Throwable> error) {
      super(actual);
      this.nanos = nanos;
      this.error = error;
    }

    @Override
    protected void subscribed() {
      if (done == 0) {
        Timeout armed = WHEEL.newTimeout(this, nanos, TimeUnit.NANOSECONDS);
        timeout = armed;
        if (done != 0) {
          armed.cancel();
        }
      }
    }

    @Override
    public void onNext(T value) {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        actual.onNext(value);
        actual.onComplete();
      } else {
        Operators.onDiscard(value, actual.currentContext());
      }
    }

    @Override
    public void onError(Throwable failure) {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        actual.onError(failure);
      } else {
        Operators.onErrorDropped(failure, actual.currentContext());
      }
    }

    @Override
    public void onComplete() {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        actual.onComplete();
      }
    }

    @Override
    public void run(Timeout expired) {
      if (DONE.compareAndSet(this, 0, 1)) {
        cancelUpstream();
        actual.onError(error.get());
      }
    }

    @Override
    public void cancel() {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
      }
      cancelUpstream();
    }

    private void disarm() {
      Timeout armed = timeout;
      if (armed != null) {
        armed.cancel();
      }
    }
  }
}
