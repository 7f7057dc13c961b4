package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.Status;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outlier ejection around any selector, which makes it the per-instance circuit breaker: an
 * instance that fails {@code consecutive-failures} calls in a row, or whose failure rate over a
 * window reaches the threshold, is left out of the candidates for an ejection time, then tried
 * again. The time doubles each time the same instance is ejected again soon (and the count decays
 * by one per base time spent in service), up to a maximum. At most {@code max-ejection-percent} of
 * the candidates are left out (at least one may be), and never the last one.
 *
 * <p>UNAVAILABLE, INTERNAL, UNKNOWN and DEADLINE_EXCEEDED are failures of the instance; any other
 * status (INVALID_ARGUMENT, NOT_FOUND, ...) means it answered, and counts as a success. CANCELLED
 * is the caller's doing and does not count.
 *
 * <p>While nothing is ejected a pick costs one volatile read more than the strategy's own.
 */
public final class OutlierEjection implements Selector {
  private static final Logger log = LoggerFactory.getLogger(OutlierEjection.class);

  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
  public static final int DEFAULT_MINIMUM_CALLS = 20;
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;

  /** The thresholds; {@link #from} reads them from {@code vireo.client.outlier.*}. */
  public record Settings(
      int consecutiveFailures,
      int failureRateThreshold,
      int minimumCalls,
      Duration window,
      Duration baseEjectionTime,
      Duration maxEjectionTime,
      int maxEjectionPercent) {
    public Settings {
      positive("consecutive-failures", consecutiveFailures);
      if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
        throw new IllegalArgumentException(
            "failure-rate-threshold: " + failureRateThreshold + " (expected: 1..100, a percent)");
      }
      positive("minimum-calls", minimumCalls);
      positive("window", window);
      positive("base-ejection-time", baseEjectionTime);
      if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
        throw new IllegalArgumentException(
            "max-ejection-time: "
                + maxEjectionTime
                + " (expected: >= base-ejection-time "
                + baseEjectionTime
                + ")");
      }
      if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
        throw new IllegalArgumentException(
            "max-ejection-percent: " + maxEjectionPercent + " (expected: 0..100)");
      }
    }

    public static Settings defaults() {
      return new Settings(
          DEFAULT_CONSECUTIVE_FAILURES,
          DEFAULT_FAILURE_RATE_THRESHOLD,
          DEFAULT_MINIMUM_CALLS,
          DEFAULT_WINDOW,
          DEFAULT_BASE_EJECTION_TIME,
          DEFAULT_MAX_EJECTION_TIME,
          DEFAULT_MAX_EJECTION_PERCENT);
    }

    /**
     * {@code vireo.client.services.<service>.outlier.<key>}, else {@code
     * vireo.client.outlier.<key>}, else the default; empty when {@code enabled} is false there.
     */
    public static Optional<Settings> from(Config config, String service) {
      Keys keys = new Keys(config, service);
      if (!keys.bool("enabled", true)) {
        return Optional.empty();
      }
      return Optional.of(
          new Settings(
              keys.integer("consecutive-failures", DEFAULT_CONSECUTIVE_FAILURES),
              keys.integer("failure-rate-threshold", DEFAULT_FAILURE_RATE_THRESHOLD),
              keys.integer("minimum-calls", DEFAULT_MINIMUM_CALLS),
              keys.duration("window", DEFAULT_WINDOW),
              keys.duration("base-ejection-time", DEFAULT_BASE_EJECTION_TIME),
              keys.duration("max-ejection-time", DEFAULT_MAX_EJECTION_TIME),
              keys.integer("max-ejection-percent", DEFAULT_MAX_EJECTION_PERCENT)));
    }

    private static void positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }

    private static void positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }
  }

  private record Keys(Config config, String service) {
    String key(String name) {
      String specific = "vireo.client.services." + service + ".outlier." + name;
      return config.get(specific).isPresent() ? specific : "vireo.client.outlier." + name;
    }

    boolean bool(String name, boolean otherwise) {
      return config.getBoolean(key(name), otherwise);
    }

    int integer(String name, int otherwise) {
      return config.getInt(key(name), otherwise);
    }

    Duration duration(String name, Duration otherwise) {
      return config.getDuration(key(name), otherwise);
    }
  }

  /** One instance's record. */
  private static final long TOUCH_GRANULARITY_NANOS = 1_000_000;

  private static final class Health {
    final AtomicInteger consecutive = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicLong windowStart;
    volatile boolean ejected;
    volatile long ejectedUntil;
    volatile long returned;
    volatile long touched;
    int ejections;

    Health(long now) {
      windowStart = new AtomicLong(now);
      returned = now;
      touched = now;
    }
  }

  /** The candidates of one list with the ejected ones left out, valid for one ejection epoch. */
  private record Kept(List<ServiceInstance> candidates, long epoch, List<ServiceInstance> kept) {}

  private final String service;
  private final Selector delegate;
  private final Settings settings;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Health> health = new ConcurrentHashMap<>();
  private final AtomicInteger ejectedCount = new AtomicInteger();
  private final AtomicLong epoch = new AtomicLong();
  private volatile long nextReturn = Long.MAX_VALUE;
  private volatile Kept kept = new Kept(List.of(), -1, List.of());

  OutlierEjection(String service, Selector delegate, Settings settings, LongSupplier clock) {
    this.service = service;
    this.delegate = delegate;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * {@code delegate} with outlier ejection as configured for {@code service}; itself when disabled.
   */
  public static Selector wrap(String service, Selector delegate, Config config) {
    Optional<Settings> settings = Settings.from(config, service);
    return settings.isEmpty()
        ? delegate
        : new OutlierEjection(service, delegate, settings.get(), System::nanoTime);
  }

  /** {@code delegate} with these settings and clock (tests drive time with it). */
  public static OutlierEjection wrap(
      String service, Selector delegate, Settings settings, LongSupplier clock) {
    return new OutlierEjection(service, delegate, settings, clock);
  }

  @Override
  public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
    if (ejectedCount.get() == 0 || candidates.size() < 2) {
      return delegate.select(candidates, call);
    }
    long now = clock.getAsLong();
    if (now - nextReturn >= 0) {
      returnDue(now);
    }
    Kept current = kept;
    long currentEpoch = epoch.get();
    if (current.epoch != currentEpoch
        || !CandidateCache.sameInstances(current.candidates, candidates)) {
      current = new Kept(candidates, currentEpoch, keep(candidates));
      kept = current;
    }
    return delegate.select(current.kept, call);
  }

  private List<ServiceInstance> keep(List<ServiceInstance> candidates) {
    int n = candidates.size();
    int allowed = Math.min(n - 1, Math.max(1, n * settings.maxEjectionPercent() / 100));
    List<ServiceInstance> result = new ArrayList<>(n);
    int left = 0;
    for (ServiceInstance instance : candidates) {
      Health h = health.get(instance.id());
      if (h != null && h.ejected && left < allowed) {
        left++;
      } else {
        result.add(instance);
      }
    }
    return left == 0 ? candidates : List.copyOf(result);
  }

  private synchronized void returnDue(long now) {
    long next = Long.MAX_VALUE;
    for (Map.Entry<String, Health> entry : health.entrySet()) {
      Health h = entry.getValue();
      if (!h.ejected) {
        continue;
      }
      if (now - h.ejectedUntil >= 0) {
        h.ejected = false;
        h.returned = now;
        h.consecutive.set(0);
        resetWindow(h, now);
        ejectedCount.decrementAndGet();
        epoch.incrementAndGet();
        log.info("{}: instance {} back in service after its ejection", service, entry.getKey());
      } else if (h.ejectedUntil < next) {
        next = h.ejectedUntil;
      }
    }
    nextReturn = next;
  }

  @Override
  public void started(ServiceInstance instance, Call call) {
    delegate.started(instance, call);
  }

  @Override
  public void report(ServiceInstance instance, Call call, Status status, long latencyNanos) {
    delegate.report(instance, call, status, latencyNanos);
    if (status == Status.CANCELLED) {
      return;
    }
    long now = clock.getAsLong();
    Health h = health.get(instance.id());
    if (h == null) {
      if (health.size() > 1024) {
        prune(now);
      }
      h = health.computeIfAbsent(instance.id(), id -> new Health(now));
    }
    // a volatile write is a fence: the two a success would pay are made only when they change
    // something (touched is read by prune, which counts in windows, not in milliseconds)
    if (now - h.touched > TOUCH_GRANULARITY_NANOS) {
      h.touched = now;
    }
    if (now - h.windowStart.get() > settings.window().toNanos()) {
      resetWindow(h, now);
    }
    int calls = h.calls.incrementAndGet();
    if (!failure(status)) {
      if (h.consecutive.get() != 0) {
        h.consecutive.set(0);
      }
      return;
    }
    int failures = h.failures.incrementAndGet();
    int consecutive = h.consecutive.incrementAndGet();
    if (consecutive >= settings.consecutiveFailures()) {
      eject(instance, h, now, consecutive + " consecutive failures, the last " + status);
    } else if (calls >= settings.minimumCalls()
        && failures * 100L >= (long) settings.failureRateThreshold() * calls) {
      eject(instance, h, now, failures + " failures in " + calls + " calls");
    }
  }

  /** Whether this status says the instance is in trouble. */
  public static boolean failure(Status status) {
    return status == Status.UNAVAILABLE
        || status == Status.INTERNAL
        || status == Status.UNKNOWN
        || status == Status.DEADLINE_EXCEEDED;
  }

  private synchronized void eject(ServiceInstance instance, Health h, long now, String why) {
    if (h.ejected) {
      return;
    }
    long base = settings.baseEjectionTime().toNanos();
    // one ejection forgiven per base time served since the last return
    int forgiven = (int) Math.min(Integer.MAX_VALUE, (now - h.returned) / base);
    h.ejections = Math.max(0, h.ejections - forgiven) + 1;
    long time = base << Math.min(h.ejections - 1, 30);
    time = Math.min(time <= 0 ? Long.MAX_VALUE : time, settings.maxEjectionTime().toNanos());
    h.ejectedUntil = now + time;
    h.ejected = true;
    h.consecutive.set(0);
    resetWindow(h, now);
    ejectedCount.incrementAndGet();
    epoch.incrementAndGet();
    if (h.ejectedUntil - nextReturn < 0 || nextReturn == Long.MAX_VALUE) {
      nextReturn = h.ejectedUntil;
    }
    log.warn(
        "{}: ejecting instance {} ({}) for {} ms: {}",
        service,
        instance.id(),
        instance.address(),
        time / 1_000_000,
        why);
  }

  private static void resetWindow(Health h, long now) {
    h.windowStart.set(now);
    h.calls.set(0);
    h.failures.set(0);
  }

  private void prune(long now) {
    long idle = 10 * settings.window().toNanos() + settings.maxEjectionTime().toNanos();
    health.values().removeIf(h -> !h.ejected && now - h.touched > idle);
  }

  /** The ids of the instances ejected now (for tests and metrics). */
  public Set<String> ejected() {
    Set<String> ids = new TreeSet<>();
    health.forEach(
        (id, h) -> {
          if (h.ejected) {
            ids.add(id);
          }
        });
    return ids;
  }

  /** The strategy inside. */
  public Selector delegate() {
    return delegate;
  }

  @Override
  public String toString() {
    return delegate + " with outlier ejection";
  }
}
