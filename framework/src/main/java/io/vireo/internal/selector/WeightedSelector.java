package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Smooth weighted round-robin, as nginx does it: over each cycle every instance gets its share,
 * interleaved rather than in bursts (weights 5,1,1 give a a b a c a a).
 *
 * <p>The cycle is computed once per candidate list (and again as warming instances gain weight) and
 * walked with one atomic counter, so that a pick takes no lock and allocates nothing. An instance's
 * weight is its metadata {@code weight} if that is a positive integer, else {@link
 * ServiceInstance#weight()}. With a warm-up, an instance's weight ramps up linearly, in {@value
 * #WARM_UP_STEPS} steps, from when this selector first saw it.
 */
final class WeightedSelector implements Selector {
  private static final Logger log = LoggerFactory.getLogger(WeightedSelector.class);

  /** The longest cycle kept; larger weight sums are scaled down to it (0.03% precision). */
  static final int MAX_CYCLE = 4096;

  static final int WARM_UP_STEPS = 20;

  /** One cycle: indexes into the candidate list; valid until a warming weight steps up. */
  private record Cycle(int[] order, long validUntil, boolean expires) {}

  private final long warmUpNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Long> firstSeen = new ConcurrentHashMap<>();
  private final CandidateCache<Cycle> cycles = new CandidateCache<>();
  private final AtomicLong next = new AtomicLong(ThreadLocalRandom.current().nextInt(1024));

  WeightedSelector(Duration warmUp, LongSupplier clock) {
    if (warmUp.isNegative()) {
      throw new IllegalArgumentException("warm-up: " + warmUp + " (expected: >= 0)");
    }
    this.warmUpNanos = warmUp.toNanos();
    this.clock = clock;
  }

  @Override
  public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
    int size = candidates.size();
    if (size <= 1) {
      return size == 0 ? Optional.empty() : Optional.of(candidates.get(0));
    }
    Cycle cycle = cycles.get(candidates, this::cycle);
    if (cycle.expires && clock.getAsLong() - cycle.validUntil >= 0) {
      cycle = cycle(candidates);
      cycles.put(candidates, cycle);
    }
    int[] order = cycle.order;
    return Optional.of(
        candidates.get(order[(int) Math.floorMod(next.getAndIncrement(), (long) order.length)]));
  }

  private Cycle cycle(List<ServiceInstance> candidates) {
    int n = candidates.size();
    long now = clock.getAsLong();
    long[] weights = new long[n];
    boolean expires = false;
    long validUntil = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      ServiceInstance instance = candidates.get(i);
      long weight = weight(instance);
      if (warmUpNanos > 0) {
        long first = firstSeen.computeIfAbsent(instance.id(), id -> now);
        long age = now - first;
        if (age < warmUpNanos) {
          long step = age * WARM_UP_STEPS / warmUpNanos + 1;
          weight = Math.max(1, weight * step / WARM_UP_STEPS);
          long stepEnd = first + (long) ((double) warmUpNanos * step / WARM_UP_STEPS);
          if (!expires || stepEnd - validUntil < 0) {
            validUntil = stepEnd;
          }
          expires = true;
        }
      }
      weights[i] = weight;
    }
    return new Cycle(smooth(weights), validUntil, expires);
  }

  static int weight(ServiceInstance instance) {
    String text = instance.metadata().get("weight");
    if (text != null) {
      try {
        int weight = Integer.parseInt(text.trim());
        if (weight > 0) {
          return weight;
        }
      } catch (NumberFormatException e) {
        // fall through to the registered weight
      }
      log.debug(
          "instance {}: metadata weight '{}' (expected: an integer > 0); using {}",
          instance.id(),
          text,
          instance.weight());
    }
    return instance.weight();
  }

  /** The nginx sequence for these weights, reduced by their gcd and scaled to at most MAX_CYCLE. */
  static int[] smooth(long[] weights) {
    int n = weights.length;
    long gcd = 0;
    for (long weight : weights) {
      gcd = gcd(gcd, weight);
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] /= gcd;
      total += weights[i];
    }
    if (total > MAX_CYCLE) {
      long scaled = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1, Math.round((double) weights[i] * MAX_CYCLE / total));
        scaled += weights[i];
      }
      total = scaled;
    }
    long[] current = new long[n];
    int[] order = new int[(int) total];
    for (int k = 0; k < order.length; k++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order[k] = best;
    }
    return order;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  @Override
  public String toString() {
    return "weighted";
  }
}
