package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import io.vireo.selector.spi.SelectorProvider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The built-in strategies: {@code round-robin}, {@code random}, {@code weighted}, {@code
 * consistent-hash} and {@code least-loaded}, each with its provider.
 */
public final class Selectors {
  /** {@code vireo.selector.weighted.warm-up}: none. */
  public static final Duration DEFAULT_WARM_UP = Duration.ZERO;

  /** {@code vireo.selector.consistent-hash.virtual-nodes}. */
  public static final int DEFAULT_VIRTUAL_NODES = 160;

  /** {@code vireo.selector.consistent-hash.header}. */
  public static final String DEFAULT_HASH_HEADER = "x-hash-key";

  /** {@code vireo.selector.least-loaded.decay-time}. */
  public static final Duration DEFAULT_DECAY_TIME = Duration.ofSeconds(10);

  private Selectors() {}

  /**
   * Smooth weighted round-robin; weights ramp up over {@code warmUp} from first sight (zero: no
   * ramp).
   */
  public static Selector weighted(Duration warmUp) {
    return new WeightedSelector(warmUp, System::nanoTime);
  }

  /**
   * {@link #weighted(Duration)} on a given clock, in nanoseconds (tests drive the warm-up with it).
   */
  public static Selector weighted(Duration warmUp, LongSupplier clock) {
    return new WeightedSelector(warmUp, clock);
  }

  /**
   * A hash ring of {@code virtualNodes} points per instance, keyed by the call header {@code
   * header}.
   */
  public static Selector consistentHash(int virtualNodes, String header) {
    return new ConsistentHashSelector(virtualNodes, header);
  }

  /**
   * Power of two choices over calls in flight and peak-EWMA latency decaying with {@code decay}.
   */
  public static Selector leastLoaded(Duration decay) {
    return new LeastLoadedSelector(decay, System::nanoTime);
  }

  /** Each instance in turn. */
  public static Selector roundRobin() {
    AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(1024));
    return new Selector() {
      @Override
      public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
        if (candidates.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(
            candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size())));
      }

      @Override
      public String toString() {
        return "round-robin";
      }
    };
  }

  /** An instance at random, uniformly. */
  public static Selector random() {
    return new Selector() {
      @Override
      public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
        if (candidates.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(candidates.get(ThreadLocalRandom.current().nextInt(candidates.size())));
      }

      @Override
      public String toString() {
        return "random";
      }
    };
  }

  /** {@code round-robin}. */
  public static final class RoundRobinProvider implements SelectorProvider {
    @Override
    public String name() {
      return "round-robin";
    }

    @Override
    public Selector create(Config config) {
      return roundRobin();
    }
  }

  /** {@code random}. */
  public static final class RandomProvider implements SelectorProvider {
    @Override
    public String name() {
      return "random";
    }

    @Override
    public Selector create(Config config) {
      return random();
    }
  }

  /** {@code weighted}: {@code vireo.selector.weighted.warm-up}. */
  public static final class WeightedProvider implements SelectorProvider {
    @Override
    public String name() {
      return "weighted";
    }

    @Override
    public Selector create(Config config) {
      return weighted(config.getDuration("vireo.selector.weighted.warm-up", DEFAULT_WARM_UP));
    }
  }

  /**
   * {@code consistent-hash}: {@code vireo.selector.consistent-hash.virtual-nodes}, {@code .header}.
   */
  public static final class ConsistentHashProvider implements SelectorProvider {
    @Override
    public String name() {
      return "consistent-hash";
    }

    @Override
    public Selector create(Config config) {
      return consistentHash(
          config.getInt("vireo.selector.consistent-hash.virtual-nodes", DEFAULT_VIRTUAL_NODES),
          config.get("vireo.selector.consistent-hash.header", DEFAULT_HASH_HEADER));
    }
  }

  /** {@code least-loaded}: {@code vireo.selector.least-loaded.decay-time}. */
  public static final class LeastLoadedProvider implements SelectorProvider {
    @Override
    public String name() {
      return "least-loaded";
    }

    @Override
    public Selector create(Config config) {
      return leastLoaded(
          config.getDuration("vireo.selector.least-loaded.decay-time", DEFAULT_DECAY_TIME));
    }
  }
}
