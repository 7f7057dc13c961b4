package io.vireo.internal.runtime;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deadlines for calls, on one shared timer wheel.
 *
 * <p>Every call has a deadline, so arming and disarming one must be cheap: Reactor's
 * {@code timeout(Duration)} schedules on a contended {@code ScheduledThreadPoolExecutor} and
 * builds an error description at subscribe time; a hashed wheel arms in O(1) without a lock.
 * A tick of 10 ms is precise enough for deadlines.
 */
final class Deadlines {
  private static final HashedWheelTimer WHEEL = new HashedWheelTimer(runnable -> {
    Thread thread = new Thread(runnable, "vireo-deadlines");
    thread.setDaemon(true);
    return thread;
  }, 10, TimeUnit.MILLISECONDS, 512);

  private Deadlines() {}

  /** Emits once, {@code delay} from subscription; cancelling disarms it. */
  static Mono<Long> after(Duration delay) {
    long nanos = delay.toNanos();
    return Mono.create(sink -> {
      Timeout timeout = WHEEL.newTimeout(t -> sink.success(0L), nanos, TimeUnit.NANOSECONDS);
      sink.onCancel(timeout::cancel);
    });
  }

  /** {@code source}, cancelled with {@code error} if it has not finished within {@code limit}. */
  static <T> Mono<T> within(Mono<T> source, Duration limit, Supplier<? extends Throwable> error) {
    return Mono.defer(() -> {
      AtomicBoolean expired = new AtomicBoolean();
      return source.takeUntilOther(after(limit).doOnNext(tick -> expired.set(true)))
          .switchIfEmpty(Mono.defer(() -> expired.get() ? Mono.error(error.get()) : Mono.empty()));
    });
  }

  /** {@code source}, cancelled with {@code error} if it has not completed within {@code limit}. */
  static <T> Flux<T> within(Flux<T> source, Duration limit, Supplier<? extends Throwable> error) {
    return Flux.defer(() -> {
      AtomicBoolean expired = new AtomicBoolean();
      return source.takeUntilOther(after(limit).doOnNext(tick -> expired.set(true)))
          .concatWith(Mono.defer(() -> expired.get() ? Mono.error(error.get()) : Mono.empty()));
    });
  }
}
