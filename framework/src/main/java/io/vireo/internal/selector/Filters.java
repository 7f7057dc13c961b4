package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Filter implementations. Each remembers its last input and output, so that the same registry list
 * gives the same output list (by identity) call after call, and the selectors' caches keyed on it
 * keep hitting.
 */
public final class Filters {
  /** The metadata label of canary instances. */
  public static final String CANARY = "canary";

  private Filters() {}

  /** The instances that pass {@code test}. */
  public static Filter keep(Predicate<ServiceInstance> test) {
    return new Keep(test);
  }

  /** {@code vireo.client.services.<service>.canary.percent} / {@code .header}, if either is set. */
  public static Optional<Filter> canary(Config config, String service) {
    String prefix = "vireo.client.services." + service + ".canary.";
    Optional<String> percent = config.get(prefix + "percent");
    Optional<String> header = config.get(prefix + "header");
    if (percent.isEmpty() && header.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        canary(
            config.getDouble(prefix + "percent", 0),
            header.orElse(""),
            () -> ThreadLocalRandom.current().nextDouble()));
  }

  /**
   * A canary split: calls with {@code header} go to canary instances ({@code canary=true}) when its
   * value is {@code true} and to the others when it is anything else; calls without it go to
   * canaries with probability {@code percent}/100 (a draw from {@code random}, in [0, 1)). With no
   * canary instance, or no other, every instance is a candidate.
   */
  public static Filter canary(double percent, String header, DoubleSupplier random) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("canary.percent: " + percent + " (expected: 0..100)");
    }
    return new Canary(percent / 100, header, random);
  }

  private static final class Keep implements Filter {
    private record Last(List<ServiceInstance> in, List<ServiceInstance> out) {}

    private final Predicate<ServiceInstance> test;
    private volatile Last last = new Last(List.of(), List.of());

    Keep(Predicate<ServiceInstance> test) {
      this.test = test;
    }

    @Override
    public List<ServiceInstance> apply(List<ServiceInstance> candidates, Call call) {
      Last seen = last;
      if (seen.in == candidates) {
        return seen.out;
      }
      List<ServiceInstance> out = keep(candidates, test);
      if (CandidateCache.sameInstances(out, seen.out)) {
        out = seen.out;
      }
      last = new Last(candidates, out);
      return out;
    }
  }

  /**
   * The instances of {@code candidates} that pass {@code test}; {@code candidates} itself when all
   * do.
   */
  public static List<ServiceInstance> keep(
      List<ServiceInstance> candidates, Predicate<ServiceInstance> test) {
    for (ServiceInstance instance : candidates) {
      if (!test.test(instance)) {
        List<ServiceInstance> kept = new ArrayList<>(candidates.size());
        for (ServiceInstance candidate : candidates) {
          if (test.test(candidate)) {
            kept.add(candidate);
          }
        }
        return List.copyOf(kept);
      }
    }
    return candidates;
  }

  private static final class Canary implements Filter {
    private record Split(
        List<ServiceInstance> in, List<ServiceInstance> canaries, List<ServiceInstance> others) {}

    private final double share;
    private final String header;
    private final DoubleSupplier random;
    private volatile Split last = new Split(List.of(), List.of(), List.of());

    Canary(double share, String header, DoubleSupplier random) {
      this.share = share;
      this.header = header;
      this.random = random;
    }

    @Override
    public List<ServiceInstance> apply(List<ServiceInstance> candidates, Call call) {
      Split split = last;
      if (!CandidateCache.sameInstances(split.in, candidates)) {
        split =
            new Split(
                candidates,
                keep(candidates, Canary::isCanary),
                keep(candidates, i -> !isCanary(i)));
        last = split;
      }
      if (split.canaries.isEmpty() || split.others.isEmpty()) {
        return candidates;
      }
      if (!header.isEmpty()) {
        Optional<String> value = call.headers().get(header);
        if (value.isPresent()) {
          return value.get().equalsIgnoreCase("true") ? split.canaries : split.others;
        }
      }
      return share > 0 && random.getAsDouble() < share ? split.canaries : split.others;
    }

    private static boolean isCanary(ServiceInstance instance) {
      return "true".equalsIgnoreCase(instance.metadata().get(CANARY));
    }

    @Override
    public String toString() {
      return "canary(" + share * 100 + "%" + (header.isEmpty() ? "" : ", header " + header) + ")";
    }
  }
}
