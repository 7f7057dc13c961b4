package io.vireo.internal.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vireo.Call;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.broker.Message;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.resilience.CircuitBreakerWrapper;
import io.vireo.transport.RefusedConnections;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.EventFunction;
import io.vireo.wrapper.PublishFunction;
import io.vireo.wrapper.Wrapper;
import io.vireo.wrapper.spi.WrapperProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * {@code metrics}: Micrometer timers (count, latency histogram) and in-flight gauges for served and
 * made calls, counters for published and consumed events, and instance counts of the services this
 * one calls. Meters are cached: the hot path is two map look-ups.
 */
public final class MetricsWrapper implements Wrapper {
  public static final String NAME = "metrics";
  private static final Logger log = LoggerFactory.getLogger(MetricsWrapper.class);

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();
  private final AtomicReference<Registry> serviceRegistry = new AtomicReference<>();
  private volatile List<CircuitBreakerWrapper> breakers = List.of();
  private final Map<String, Disposable> watches = new ConcurrentHashMap<>();
  private final Disposable.Composite disposables = Disposables.composite();
  private final Side served = new Side("vireo.server.calls");
  private final Side made = new Side("vireo.client.calls");

  public MetricsWrapper(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public CallFunction server(CallFunction next) {
    return (call, requests) -> measured(served, call, next.apply(call, requests));
  }

  @Override
  public CallFunction client(CallFunction next) {
    return (call, requests) -> {
      watch(call.service());
      return measured(made, call, next.apply(call, requests));
    };
  }

  private Flux<Object> measured(Side side, Call call, Flux<Object> responses) {
    return Outcome.on(responses, call.kind(), side.meters(call.service(), call.route()));
  }

  /**
   * The meters of one side ({@code vireo.server.calls} or {@code vireo.client.calls}), by service
   * and route: looked up with two map reads per call and no key built.
   */
  private final class Side {
    final String name;
    final Map<String, Map<Route, Meters>> byService = new ConcurrentHashMap<>();

    Side(String name) {
      this.name = name;
    }

    Meters meters(String service, Route route) {
      Map<Route, Meters> byRoute = byService.get(service);
      if (byRoute == null) {
        byRoute = byService.computeIfAbsent(service, key -> new ConcurrentHashMap<>());
      }
      Meters meters = byRoute.get(route);
      if (meters == null) {
        meters = byRoute.computeIfAbsent(route, key -> new Meters(name, service, route));
      }
      return meters;
    }
  }

  /** The in-flight gauge and the timers by status of one endpoint, as a call's observer. */
  private final class Meters implements Outcome.Observer {
    final String name;
    final String service;
    final String endpoint;
    final AtomicInteger active;
    final Timer[] byStatus = new Timer[Status.values().length];

    Meters(String name, String service, Route route) {
      this.name = name;
      this.service = service;
      this.endpoint = route == Route.UNKNOWN ? "unknown" : route.fullName();
      this.active =
          gauges.computeIfAbsent(
              name + ".active|" + service + "|" + endpoint,
              key -> {
                AtomicInteger value = new AtomicInteger();
                Gauge.builder(name + ".active", value, AtomicInteger::get)
                    .description("calls in flight")
                    .tags("service", service, "endpoint", endpoint)
                    .register(registry);
                return value;
              });
    }

    @Override
    public void started() {
      active.incrementAndGet();
    }

    @Override
    public void ended(Outcome.Ended ended) {
      active.decrementAndGet();
      Status status = ended.status();
      Timer timer = byStatus[status.ordinal()];
      if (timer == null) {
        // a race here registers nothing twice: the registry returns the meter it has
        timer = timer(name, service, endpoint, status);
        byStatus[status.ordinal()] = timer;
      }
      timer.record(ended.nanos(), TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(String name, String service, String endpoint, Status status) {
    return timers.computeIfAbsent(
        name + "|" + service + "|" + endpoint + "|" + status,
        key ->
            Timer.builder(name)
                .description(name.startsWith("vireo.server") ? "calls served" : "calls made")
                .tags("service", service, "endpoint", endpoint, "status", status.name())
                .publishPercentileHistogram()
                .register(registry));
  }

  @Override
  public PublishFunction publisher(PublishFunction next) {
    return event ->
        Outcome.on(
            next.publish(event),
            ended ->
                counter(
                        "vireo.events.published",
                        "events published",
                        Tags.of("topic", event.topic(), "status", ended.status().name()))
                    .increment());
  }

  @Override
  public EventFunction subscriber(EventFunction next) {
    return event -> {
      boolean redelivered =
          event.headers().get(Message.REDELIVERY).filter(count -> !count.equals("0")).isPresent();
      return Outcome.on(
          next.handle(event),
          ended -> {
            timers
                .computeIfAbsent(
                    "vireo.events.consumed|" + event.topic() + "|" + ended.status(),
                    key ->
                        Timer.builder("vireo.events.consumed")
                            .description("events handled")
                            .tags("topic", event.topic(), "status", ended.status().name())
                            .register(registry))
                .record(ended.nanos(), TimeUnit.NANOSECONDS);
            if (redelivered) {
              counter(
                      "vireo.events.redelivered",
                      "events handled again after a failure",
                      Tags.of("topic", event.topic()))
                  .increment();
            }
          });
    };
  }

  private Counter counter(String name, String description, Tags tags) {
    return counters.computeIfAbsent(
        name + "|" + tags,
        key -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  /**
   * Lets this wrapper count the instances of the services its clients call, and show the state of
   * these circuit breakers for them.
   */
  public void bind(Registry registry, List<CircuitBreakerWrapper> breakers) {
    serviceRegistry.set(registry);
    this.breakers = List.copyOf(breakers);
    RefusedConnections.bindTo(this.registry);
  }

  /**
   * On the first call to {@code service}: a gauge of its instances and a counter of changes to
   * them.
   */
  private void watch(String service) {
    Registry bound = serviceRegistry.get();
    if (bound == null || watches.containsKey(service)) {
      return;
    }
    watches.computeIfAbsent(
        service,
        name -> {
          AtomicInteger instances = new AtomicInteger();
          Gauge.builder("vireo.registry.instances", instances, AtomicInteger::get)
              .description("instances of a called service in the registry")
              .tags("service", name)
              .register(registry);
          Counter changes =
              Counter.builder("vireo.registry.changes")
                  .description("changes to the instances of a called service")
                  .tags("service", name)
                  .register(registry);
          Disposable watching =
              bound
                  .watch(name)
                  .doOnNext(
                      list -> {
                        instances.set(list.size());
                        changes.increment();
                      })
                  .doOnError(e -> log.debug("metrics: watching {} failed: {}", name, e.toString()))
                  .retryWhen(
                      Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                          .maxBackoff(Duration.ofSeconds(5)))
                  .subscribe();
          disposables.add(watching);
          List<CircuitBreakerWrapper> known = breakers;
          if (!known.isEmpty()) {
            // 0 closed, 1 open, 2 half-open; -1 while no breaker guards calls to the service
            Gauge.builder(
                    "vireo.resilience.breaker.state",
                    known,
                    all ->
                        all.stream()
                            .map(b -> b.state(name))
                            .flatMap(Optional::stream)
                            .findFirst()
                            .map(state -> (double) state.ordinal())
                            .orElse(-1.0))
                .description(
                    "circuit breaker state of calls to a service: 0 closed, 1 open, 2 half-open")
                .tags("service", name)
                .register(registry);
          }
          return watching;
        });
  }

  /** Stops the registry watches. */
  public void close() {
    disposables.dispose();
  }

  /** The Prometheus registry behind this wrapper, if it has one (also inside a composite). */
  public Optional<PrometheusMeterRegistry> prometheus() {
    return prometheus(registry);
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return Optional.of(prometheus);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry each : composite.getRegistries()) {
        Optional<PrometheusMeterRegistry> found = prometheus(each);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /**
   * {@code metrics}: a Prometheus registry of its own, scraped at the admin endpoint's {@code
   * /metrics}.
   */
  public static final class Provider implements WrapperProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Wrapper create(Config config) {
      return new MetricsWrapper(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }
  }
}
