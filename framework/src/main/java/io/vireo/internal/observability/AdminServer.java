package io.vireo.internal.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vireo.config.Values;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.RefusedConnections;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The admin HTTP endpoint: {@code /health}, {@code /health/live}, {@code /health/ready}, {@code
 * /health/startup}, {@code /metrics} (Prometheus text), {@code /info}, and {@code POST
 * /admin/offline} / {@code /admin/online}. Health checks that ask the registry or broker are
 * asynchronous and bounded by {@link #CHECK_TIMEOUT}; the Prometheus scrape runs off the event
 * loop.
 */
public final class AdminServer {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** How long a readiness check may take before it counts as failed. */
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceView service;
  private final Optional<PrometheusMeterRegistry> prometheus;
  private final DisposableServer server;

  private AdminServer(
      ServiceView service, Optional<PrometheusMeterRegistry> prometheus, DisposableServer server) {
    this.service = service;
    this.prometheus = prometheus;
    this.server = server;
  }

  /**
   * Binds {@code host:port} (0: any free port); blocks until bound (called from start, never on an
   * event loop).
   */
  public static AdminServer start(
      ServiceView service,
      Optional<PrometheusMeterRegistry> prometheus,
      String host,
      int port,
      Duration timeout) {
    AdminServer[] self = new AdminServer[1];
    // the group lets disposeNow close open keep-alive connections too, not only the listener
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    // a request the HTTP decoder cannot read is a refused connection (counted, logged within
    // limits)
    RefusedConnections refused = RefusedConnections.of("admin");
    DisposableServer server =
        HttpServer.create()
            .channelGroup(connections)
            .doOnChannelInit(refused::watchHttp)
            .host(host)
            .port(port)
            .route(
                routes ->
                    routes
                        .get("/health", (request, response) -> self[0].health(response, true, true))
                        .get(
                            "/health/live",
                            (request, response) -> self[0].health(response, true, false))
                        .get(
                            "/health/ready",
                            (request, response) -> self[0].health(response, false, true))
                        .get("/health/startup", (request, response) -> self[0].startup(response))
                        .post(
                            "/admin/offline",
                            (request, response) -> self[0].offline(response, true))
                        .post(
                            "/admin/online",
                            (request, response) -> self[0].offline(response, false))
                        .get("/metrics", (request, response) -> self[0].metrics(response))
                        .get("/info", (request, response) -> self[0].info(response)))
            .bind()
            .block(timeout);
    if (server == null) {
      throw new IllegalStateException(
          "vireo.admin.port: " + port + " did not bind within " + Values.format(timeout));
    }
    self[0] = new AdminServer(service, prometheus, server);
    log.info("{}: admin endpoint on http://{}:{}/health", service.name(), host, server.port());
    return self[0];
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.address();
  }

  public void stop(Duration timeout) {
    server.disposeNow(timeout);
  }

  private Publisher<Void> health(HttpServerResponse response, boolean withLive, boolean withReady) {
    boolean live = !service.state().equals("STOPPED");
    Mono<Map<String, Boolean>> checks = withReady ? readiness() : Mono.just(Map.of());
    return checks.flatMap(
        results -> {
          boolean ready = live && results.values().stream().allMatch(Boolean::booleanValue);
          boolean healthy = withReady ? ready : live;
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("status", healthy ? "UP" : "DOWN");
          body.put("service", service.name());
          body.put("state", service.state());
          if (withLive) {
            body.put("live", live);
          }
          if (withReady) {
            body.put("ready", ready);
            body.put("checks", results);
          }
          return json(
                  response.status(
                      healthy ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE),
                  body)
              .then();
        });
  }

  /** 200 once started (and registered, if it serves), for a startup probe; 503 before. */
  private Publisher<Void> startup(HttpServerResponse response) {
    boolean started = service.started();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", started ? "UP" : "DOWN");
    body.put("service", service.name());
    body.put("state", service.state());
    body.put("started", started);
    return json(
        response.status(started ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE),
        body);
  }

  /**
   * Takes the instance out of the registry (or puts it back), answering once the registry has done
   * it.
   */
  private Publisher<Void> offline(HttpServerResponse response, boolean offline) {
    if (!service.serves() || !service.state().equals("RUNNING")) {
      return json(
          response.status(HttpResponseStatus.CONFLICT),
          Map.of(
              "service",
              service.name(),
              "state",
              service.state(),
              "message",
              service.serves()
                  ? "not running (expected: RUNNING)"
                  : "serves no handlers, so it has no instance to take offline"));
    }
    Mono<Void> change = offline ? service.takeOffline() : service.bringOnline();
    return change
        .timeout(CHECK_TIMEOUT.multipliedBy(5))
        .then(
            Mono.defer(
                () ->
                    json(
                        response,
                        Map.of(
                            "service", service.name(),
                            "offline", service.offline(),
                            "registered", service.registered(),
                            "instances",
                                service.instances().stream().map(ServiceInstance::id).toList()))))
        .onErrorResume(
            e ->
                json(
                    response.status(HttpResponseStatus.SERVICE_UNAVAILABLE),
                    Map.of(
                        "service",
                        service.name(),
                        "message",
                        (offline ? "deregistering" : "registering") + " failed: " + e)));
  }

  /** Every check that applies to this service; a check that errs or times out is false. */
  private Mono<Map<String, Boolean>> readiness() {
    Map<String, Boolean> results = new LinkedHashMap<>();
    results.put("started", service.state().equals("RUNNING"));
    if (service.serves()) {
      results.put("server", service.bound());
      results.put("registered", service.registered());
      results.put("online", !service.offline());
    }
    Mono<Boolean> registry = bounded(service.registryReachable());
    Mono<Optional<Boolean>> broker =
        service
            .brokerReachable()
            .map(check -> bounded(check).map(Optional::of))
            .orElse(Mono.just(Optional.empty()));
    return Mono.zip(registry, broker)
        .map(
            pair -> {
              results.put("registry", pair.getT1());
              pair.getT2().ifPresent(reachable -> results.put("broker", reachable));
              return results;
            });
  }

  private static Mono<Boolean> bounded(Mono<Boolean> check) {
    return Mono.defer(() -> check)
        .timeout(CHECK_TIMEOUT)
        .onErrorReturn(false)
        .defaultIfEmpty(false);
  }

  private Publisher<Void> metrics(HttpServerResponse response) {
    if (prometheus.isEmpty()) {
      return response
          .status(HttpResponseStatus.NOT_FOUND)
          .sendString(
              Mono.just(
                  "no Prometheus registry: add the metrics wrapper (vireo.wrappers=metrics, or Metrics.of(prometheusRegistry))\n"));
    }
    PrometheusMeterRegistry registry = prometheus.get();
    return response
        .header("content-type", PROMETHEUS_TEXT)
        .sendString(Mono.fromCallable(registry::scrape).subscribeOn(Schedulers.boundedElastic()));
  }

  private Publisher<Void> info(HttpServerResponse response) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", service.name());
    body.put("version", service.version());
    body.put("state", service.state());
    body.put("instances", service.instances().stream().map(AdminServer::instance).toList());
    body.put("endpoints", service.endpoints());
    body.put("plugins", service.plugins());
    return json(response, body);
  }

  private static Map<String, Object> instance(ServiceInstance instance) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", instance.id());
    map.put("transport", instance.transport());
    map.put("host", instance.host());
    map.put("port", instance.port());
    map.put("metadata", instance.metadata());
    return map;
  }

  private static Mono<Void> json(HttpServerResponse response, Map<String, ?> body) {
    String text;
    try {
      text = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      return Mono.error(e);
    }
    return response.header("content-type", "application/json").sendString(Mono.just(text)).then();
  }
}
