package io.vireo.internal.resilience;

import io.vireo.config.Config;
import io.vireo.config.Values;
import io.vireo.resilience.CircuitBreakerPolicy;
import io.vireo.resilience.Fallback;
import io.vireo.resilience.RateLimitPolicy;
import io.vireo.resilience.RetryPolicy;
import io.vireo.wrapper.Wrapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guards built in code, and the ones configuration asks for. */
public final class Guards {
  private static final Logger log = LoggerFactory.getLogger(Guards.class);

  /**
   * The parts of a service's client configuration, after {@code vireo.client.services.<service>}.
   */
  private static final List<String> CLIENT_PARTS =
      List.of("circuit-breaker", "retry", "bulkhead", "time-limiter", "fallback");

  public static final int DEFAULT_CACHE_SIZE = 1000;

  private Guards() {}

  public static ClientGuard client(String service) {
    return new ClientGuard(service);
  }

  public static ClientGuard circuitBreaker(String service, CircuitBreakerPolicy policy) {
    return new ClientGuard(service).circuitBreaker(policy);
  }

  public static ClientGuard retry(String service, RetryPolicy policy) {
    return new ClientGuard(service).retry(policy);
  }

  public static ClientGuard bulkhead(String service, int maxConcurrentCalls) {
    return new ClientGuard(service).bulkhead(maxConcurrentCalls);
  }

  public static ClientGuard timeLimiter(String service, Duration timeout) {
    return new ClientGuard(service).timeLimiter(timeout);
  }

  public static ClientGuard fallback(String service, Fallback fallback) {
    return new ClientGuard(service).fallback(fallback);
  }

  public static ClientGuard cache(String service, int maxEntries) {
    return new ClientGuard(service).cache(maxEntries);
  }

  public static ServerGuard server(
      @Nullable RateLimitPolicy rate, int concurrencyLimit, boolean perCaller) {
    return new ServerGuard("code", rate, concurrencyLimit, perCaller);
  }

  /**
   * The wrappers {@code
   * vireo.client.services.<service>.{circuit-breaker,retry,bulkhead,time-limiter,fallback}.*} and
   * {@code vireo.server.endpoints.<Method>.{rate-limit.*,concurrency-limit,per-caller}} ask for:
   * none when there are no such keys.
   */
  public static List<Wrapper> fromConfig(Config config) {
    List<Wrapper> wrappers = new ArrayList<>();
    Map<String, ClientGuard> clients = new LinkedHashMap<>();
    for (String service : clientServices(config)) {
      clients.put(service, clientFromConfig(config, service));
    }
    if (!clients.isEmpty()) {
      wrappers.add(ClientWrapper.of(clients));
    }
    Map<String, ServerGuard> servers = new LinkedHashMap<>();
    for (String method : serverEndpoints(config)) {
      serverFromConfig(config, method).ifPresent(guard -> servers.put(method, guard));
    }
    if (!servers.isEmpty()) {
      wrappers.add(ServerWrapper.of(servers));
    }
    return List.copyOf(wrappers);
  }

  private static Set<String> clientServices(Config config) {
    Set<String> services = new TreeSet<>();
    for (String key : config.subset("vireo.client.services").keySet()) {
      for (String part : CLIENT_PARTS) {
        int at = key.indexOf("." + part + ".");
        if (at > 0) {
          services.add(key.substring(0, at));
        }
      }
    }
    return services;
  }

  private static ClientGuard clientFromConfig(Config config, String service) {
    String prefix = "vireo.client.services." + service + ".";
    ClientGuard guard = new ClientGuard(service);
    if (!config.subset(prefix + "circuit-breaker").isEmpty()
        && config.getBoolean(prefix + "circuit-breaker.enabled", true)) {
      String p = prefix + "circuit-breaker.";
      CircuitBreakerPolicy policy = CircuitBreakerPolicy.defaults();
      int window = config.getInt(p + "sliding-window-size", policy.slidingWindowSize());
      policy = policy.slidingWindowSize(window);
      policy =
          new CircuitBreakerPolicy(
              (float) config.getDouble(p + "failure-rate-threshold", policy.failureRateThreshold()),
              window,
              config.getInt(p + "minimum-number-of-calls", policy.minimumNumberOfCalls()),
              config.getDuration(
                  p + "wait-duration-in-open-state", policy.waitDurationInOpenState()),
              config.getInt(
                  p + "permitted-calls-in-half-open-state",
                  policy.permittedCallsInHalfOpenState()));
      guard.circuitBreaker(policy);
    }
    if (!config.subset(prefix + "retry").isEmpty()
        && config.getBoolean(prefix + "retry.enabled", true)) {
      String p = prefix + "retry.";
      RetryPolicy defaults = RetryPolicy.defaults();
      Duration initial = config.getDuration(p + "initial-backoff", defaults.initialBackoff());
      guard.retry(
          new RetryPolicy(
              config.getInt(p + "max-attempts", defaults.maxAttempts()),
              initial,
              config.getDouble(p + "multiplier", defaults.multiplier()),
              config.getDuration(
                  p + "max-backoff",
                  defaults.maxBackoff().compareTo(initial) < 0 ? initial : defaults.maxBackoff()),
              config.getDouble(p + "jitter", defaults.jitter())));
    }
    String bulkheadKey = prefix + "bulkhead.max-concurrent-calls";
    if (config.get(bulkheadKey).isPresent()) {
      guard.bulkhead(config.getInt(bulkheadKey, 1));
      watchInt(
          config,
          bulkheadKey,
          limit -> {
            if (guard.bulkhead != null) {
              guard.bulkhead.changeConfig(ClientGuard.bulkheadConfig(limit));
            }
          });
    }
    if (config.get(prefix + "time-limiter.timeout").isPresent()) {
      guard.timeLimiter(config.getDuration(prefix + "time-limiter.timeout", Duration.ofSeconds(1)));
    }
    if (config.getBoolean(prefix + "fallback.cache", false)) {
      guard.cache(config.getInt(prefix + "fallback.cache-size", DEFAULT_CACHE_SIZE));
    }
    return guard;
  }

  private static Set<String> serverEndpoints(Config config) {
    Set<String> methods = new TreeSet<>();
    for (String key : config.subset("vireo.server.endpoints").keySet()) {
      int dot = key.indexOf('.');
      if (dot > 0) {
        methods.add(key.substring(0, dot));
      }
    }
    return methods;
  }

  private static Optional<ServerGuard> serverFromConfig(Config config, String method) {
    String prefix = "vireo.server.endpoints." + method;
    String limitKey = prefix + ".rate-limit.limit-for-period";
    String concurrencyKey = prefix + ".concurrency-limit";
    RateLimitPolicy rate = null;
    if (config.get(limitKey).isPresent()) {
      rate =
          new RateLimitPolicy(
              config.getInt(limitKey, 1),
              config.getDuration(
                  prefix + ".rate-limit.limit-refresh-period", Duration.ofSeconds(1)),
              config.getBoolean(prefix + ".rate-limit.per-caller", false));
    }
    int concurrency = config.getInt(concurrencyKey, 0);
    if (rate == null && concurrency == 0) {
      return Optional.empty();
    }
    if (config.get(concurrencyKey).isPresent() && concurrency <= 0) {
      throw new IllegalArgumentException(concurrencyKey + ": " + concurrency + " (expected: > 0)");
    }
    ServerGuard guard =
        new ServerGuard(
            prefix, rate, concurrency, config.getBoolean(prefix + ".per-caller", false));
    if (rate != null) {
      watchInt(config, limitKey, guard::limitForPeriod);
    }
    if (concurrency > 0) {
      watchInt(config, concurrencyKey, guard::concurrencyLimit);
    }
    return Optional.of(guard);
  }

  /**
   * Applies later values of {@code key} as a dynamic source changes them; bad ones are logged and
   * skipped.
   */
  private static void watchInt(Config config, String key, IntConsumer apply) {
    config
        .watch(key)
        .skip(1)
        .subscribe(
            value -> {
              if (value.isEmpty()) {
                return;
              }
              try {
                int limit = Values.parseInt(key, value.get());
                if (limit <= 0) {
                  throw new IllegalArgumentException(key + ": " + limit + " (expected: > 0)");
                }
                apply.accept(limit);
                log.info("{} is now {}", key, limit);
              } catch (RuntimeException e) {
                log.warn("ignoring a new value of {}: {}", key, e.getMessage());
              }
            },
            error -> log.warn("watching {} failed: {}", key, error.toString()));
  }
}
