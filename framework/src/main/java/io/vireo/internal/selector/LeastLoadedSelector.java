package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.Status;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The power of two choices: two distinct instances at random, and the one with the lower cost wins,
 * cost being (calls in flight + 1) × peak-EWMA latency. The latency average jumps up to a slower
 * sample at once and decays towards faster ones (and towards zero while an instance gets no calls,
 * so that a once-slow instance is tried again) with the time constant {@code decay}.
 *
 * <p>Picks read a few volatile fields and take no lock. Updates to the average may race and lose a
 * sample, which an average can afford.
 */
final class LeastLoadedSelector implements Selector {
  /**
   * A floor for the latency, so that an instance not yet measured still pays for its calls in
   * flight.
   */
  private static final double MIN_LATENCY_NANOS = 1_000;

  private final double decayNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Load> loads = new ConcurrentHashMap<>();

  static final class Load {
    final AtomicInteger inFlight = new AtomicInteger();
    volatile double latency;
    volatile long updated;

    double cost(long now, double decayNanos) {
      double elapsed = Math.max(0, now - updated);
      double decayed = latency * Math.exp(-elapsed / decayNanos);
      return (inFlight.get() + 1) * Math.max(MIN_LATENCY_NANOS, decayed);
    }

    void sample(long latencyNanos, long now, double decayNanos) {
      double elapsed = Math.max(0, now - updated);
      double current = latency * Math.exp(-elapsed / decayNanos);
      if (latencyNanos > current) {
        latency = latencyNanos;
      } else {
        double weight = Math.exp(-elapsed / decayNanos);
        latency = current * weight + latencyNanos * (1 - weight);
      }
      updated = now;
    }
  }

  LeastLoadedSelector(Duration decay, LongSupplier clock) {
    if (decay.isNegative() || decay.isZero()) {
      throw new IllegalArgumentException("decay-time: " + decay + " (expected: > 0)");
    }
    this.decayNanos = decay.toNanos();
    this.clock = clock;
  }

  @Override
  public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
    int size = candidates.size();
    if (size <= 1) {
      return size == 0 ? Optional.empty() : Optional.of(candidates.get(0));
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int a = random.nextInt(size);
    int b = random.nextInt(size - 1);
    if (b >= a) {
      b++;
    }
    ServiceInstance first = candidates.get(a);
    ServiceInstance second = candidates.get(b);
    long now = clock.getAsLong();
    double costA = load(first).cost(now, decayNanos);
    double costB = load(second).cost(now, decayNanos);
    return Optional.of(costB < costA ? second : first);
  }

  @Override
  public void started(ServiceInstance instance, Call call) {
    load(instance).inFlight.incrementAndGet();
  }

  @Override
  public void report(ServiceInstance instance, Call call, Status status, long latencyNanos) {
    Load load = load(instance);
    load.inFlight.decrementAndGet();
    if (status != Status.CANCELLED) {
      load.sample(latencyNanos, clock.getAsLong(), decayNanos);
    }
  }

  /** The load kept for this instance (for tests and metrics). */
  Load load(ServiceInstance instance) {
    Load load = loads.get(instance.id());
    if (load == null) {
      if (loads.size() > 1024) {
        prune();
      }
      load = loads.computeIfAbsent(instance.id(), id -> new Load());
    }
    return load;
  }

  /** Forgets instances long idle, so that a churning registry does not grow the map forever. */
  private void prune() {
    long now = clock.getAsLong();
    loads
        .values()
        .removeIf(load -> load.inFlight.get() <= 0 && now - load.updated > 10 * decayNanos);
  }

  @Override
  public String toString() {
    return "least-loaded";
  }
}
