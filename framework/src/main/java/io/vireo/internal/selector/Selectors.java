package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import io.vireo.selector.spi.SelectorProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The built-in strategies: {@code round-robin} and {@code random}. */
public final class Selectors {
  private Selectors() {}

  /** Each instance in turn. */
  public static Selector roundRobin() {
    AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(1024));
    return new Selector() {
      @Override
      public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
        if (candidates.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size())));
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
}
