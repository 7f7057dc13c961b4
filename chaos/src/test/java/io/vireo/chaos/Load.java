package io.vireo.chaos;

import io.vireo.chaos.Echo.Reply;
import io.vireo.chaos.Echo.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.awaitility.Awaitility;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A steady client load: one call every {@code 1 s / callsPerSecond}, each counted as it starts,
 * succeeds or fails; the first failures are kept to be printed.
 */
final class Load implements AutoCloseable {
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Disposable ticks;

  private Load(int callsPerSecond, Function<Request, Mono<Reply>> call, int delayMillis) {
    Duration period = Duration.ofNanos(1_000_000_000L / callsPerSecond);
    ticks =
        Flux.interval(period)
            .onBackpressureDrop()
            .subscribe(
                tick -> {
                  long id = started.incrementAndGet();
                  inFlight.incrementAndGet();
                  Mono.defer(() -> call.apply(new Request(id, delayMillis)))
                      .doFinally(signal -> inFlight.decrementAndGet())
                      .subscribe(
                          reply -> succeeded.incrementAndGet(),
                          error -> {
                            failed.incrementAndGet();
                            if (failures.size() < 10) {
                              failures.add(error.toString());
                            }
                          });
                });
  }

  static Load start(int callsPerSecond, Function<Request, Mono<Reply>> call, int delayMillis) {
    return new Load(callsPerSecond, call, delayMillis);
  }

  long started() {
    return started.get();
  }

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }

  long inFlight() {
    return inFlight.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops starting calls; those in flight finish on their own (bounded by the client timeout). */
  @Override
  public void close() {
    ticks.dispose();
  }

  /** Stops, then waits (at most {@code timeout}) for the calls in flight to end. */
  Load stopAndDrain(Duration timeout) {
    close();
    Awaitility.await("calls in flight end").atMost(timeout).until(() -> inFlight.get() == 0);
    return this;
  }
}
