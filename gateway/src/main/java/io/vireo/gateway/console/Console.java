package io.vireo.gateway.console;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.gateway.internal.Exchange;
import io.vireo.gateway.internal.FilterChains;
import io.vireo.gateway.internal.HttpErrors;
import io.vireo.gateway.internal.Mapping;
import io.vireo.gateway.internal.Policies;
import io.vireo.gateway.internal.Policy;
import io.vireo.gateway.internal.Reply;
import io.vireo.gateway.internal.RpcCalls;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/**
 * The gateway's web console at {@code /console} ({@code vireo.gateway.console.enabled=true}): a
 * page of the services in the registry, live; each service's instances, health, breaker and
 * endpoints; a form to call an endpoint; a form to publish an event; per-endpoint charts from the
 * instances' metrics. Its JSON is under {@code /console/api}; it is a route of the gateway like the
 * others, so the gateway's filters apply to the API (auth when {@code
 * vireo.gateway.auth.required=true}); the page itself holds no data and loads without a token,
 * which it then asks for.
 */
public final class Console implements Mapping, Disposable {
  private static final Logger log = LoggerFactory.getLogger(Console.class);

  /** The path the console is mounted at. */
  public static final String PATH = "/console";

  static final String API = PATH + "/api";
  static final String SSE = "text/event-stream";
  private static final Map<String, String> ASSETS =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "console.js", "text/javascript; charset=utf-8",
          "console.css", "text/css; charset=utf-8");

  private final Registry registry;
  private final RpcCalls calls;
  private final FilterChains chains;
  private final Supplier<HttpClient> client;
  private final String self;
  private final Duration probeTimeout;
  private final int samples;
  private final Map<String, byte[]> assets = new LinkedHashMap<>();
  private final Map<String, List<ServiceInstance>> services = new ConcurrentHashMap<>();
  private final Map<String, Metrics> metrics = new ConcurrentHashMap<>();
  private final Sinks.Many<String> changes = Sinks.many().replay().latest();
  private final Sinks.Many<String> sampled = Sinks.many().multicast().directBestEffort();
  private final Disposable.Composite running = Disposables.composite();

  private Console(
      Config config,
      Registry registry,
      RpcCalls calls,
      FilterChains chains,
      Supplier<HttpClient> client,
      String self) {
    this.registry = registry;
    this.calls = calls;
    this.chains = chains;
    this.client = client;
    this.self = self;
    this.probeTimeout =
        config.getDuration("vireo.gateway.console.probe-timeout", Duration.ofSeconds(2));
    this.samples = config.getInt("vireo.gateway.console.metrics.samples", 60);
    if (samples < 2 || samples > 10_000) {
      throw new IllegalArgumentException(
          "vireo.gateway.console.metrics.samples: " + samples + " (expected: 2..10000)");
    }
    ASSETS.keySet().forEach(name -> assets.put(name, load(name)));
    emit(changes, servicesJson());
    Duration discovery =
        config.getDuration("vireo.gateway.console.discovery-interval", Duration.ofSeconds(1));
    running.add(
        Flux.interval(Duration.ZERO, discovery)
            .onBackpressureDrop()
            .concatMap(
                tick ->
                    registry
                        .services()
                        .onErrorResume(
                            e -> {
                              log.warn("console: registry services: {}", e.toString());
                              return Mono.empty();
                            }))
            .subscribe(this::watchNew));
    Duration every =
        config.getDuration("vireo.gateway.console.metrics.interval", Duration.ofSeconds(5));
    running.add(
        Flux.interval(every, every).onBackpressureDrop().concatMap(tick -> sample()).subscribe());
  }

  /**
   * The gateway's mappings with the console in front when {@code vireo.gateway.console.enabled} is
   * true (its background work handed to {@code stopOnClose}); else the mappings as they are.
   */
  public static List<Mapping> mount(
      Config config,
      Registry registry,
      RpcCalls calls,
      FilterChains chains,
      Supplier<HttpClient> client,
      String self,
      Consumer<Disposable> stopOnClose,
      List<Mapping> mappings) {
    if (!config.getBoolean("vireo.gateway.console.enabled", false)) {
      return mappings;
    }
    Console console = new Console(config, registry, calls, chains, client, self);
    stopOnClose.accept(console);
    List<Mapping> all = new ArrayList<>();
    all.add(console);
    all.addAll(mappings);
    log.info("gateway console at {}", PATH);
    return all;
  }

  private static byte[] load(String name) {
    try (InputStream in = Console.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "console asset "
                + name
                + " missing from the jar (expected: io/vireo/gateway/console/"
                + name
                + ")");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void dispose() {
    running.dispose();
    synchronized (changes) {
      changes.tryEmitComplete();
      sampled.tryEmitComplete();
    }
  }

  @Override
  public boolean isDisposed() {
    return running.isDisposed();
  }

  @Override
  public Optional<Routed> route(Exchange exchange, Policies policies) {
    String path = exchange.path();
    if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
      return Optional.empty();
    }
    if (path.startsWith(API + "/")) {
      return Optional.of(new Routed("console", policies.global(), this::handle));
    }
    // the page, script and style hold no data: they load without a token, the API asks for one
    return Optional.of(new Routed("console-assets", Policy.empty(), this::handle));
  }

  private Mono<Reply> handle(Exchange exchange) {
    String path = exchange.path();
    if (!exchange.method().equals(HttpMethod.GET)) {
      return Mono.just(
          HttpErrors.reply(
              Status.INVALID_ARGUMENT,
              exchange.method().name()
                  + " "
                  + path
                  + ": the console only answers GET (expected: calls at POST /<service>/<Method>, events at POST /events/<topic>)"));
    }
    if (path.equals(PATH) || path.equals(PATH + "/")) {
      return Mono.just(asset("index.html"));
    }
    if (path.startsWith(API + "/")) {
      return api(path.substring(API.length() + 1))
          .onErrorResume(e -> Mono.just(HttpErrors.reply(e)));
    }
    String name = path.substring(PATH.length() + 1);
    if (ASSETS.containsKey(name)) {
      return Mono.just(asset(name));
    }
    return Mono.just(
        HttpErrors.reply(
            Status.NOT_FOUND, "no console page " + path + " (expected: " + PATH + "/)"));
  }

  private Reply asset(String name) {
    Reply reply = Reply.bytes(HttpResponseStatus.OK, ASSETS.get(name), assets.get(name));
    reply.headers().set("cache-control", "no-cache");
    reply.headers().set("x-content-type-options", "nosniff");
    if (name.endsWith(".html")) {
      reply
          .headers()
          .set(
              "content-security-policy",
              "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    }
    return reply;
  }

  private Mono<Reply> api(String what) {
    String[] parts = what.split("/", -1);
    if (what.equals("services")) {
      return Mono.just(json(new Json.Raw(servicesJson())));
    }
    if (what.equals("services/stream")) {
      return Mono.just(stream("services", changes.asFlux()));
    }
    if (what.equals("messages")) {
      return messages().map(Console::json);
    }
    if (parts.length == 2 && parts[0].equals("messages")) {
      return message(parts[1]).map(Console::json);
    }
    if (parts.length == 2 && parts[0].equals("services")) {
      return service(parts[1]).map(Console::json);
    }
    if (parts.length == 3 && parts[0].equals("services") && parts[2].equals("metrics")) {
      return Mono.just(json(metricsOf(parts[1])));
    }
    if (parts.length == 4
        && parts[0].equals("services")
        && parts[2].equals("metrics")
        && parts[3].equals("stream")) {
      String name = parts[1];
      return Mono.just(
          stream(
              "metrics",
              Flux.concat(
                  Mono.fromCallable(() -> Json.write(metricsOf(name))),
                  sampled.asFlux().filter(name::equals).map(n -> Json.write(metricsOf(n))))));
    }
    return Mono.error(
        new VireoException(
            Status.NOT_FOUND,
            "no console API "
                + API
                + "/"
                + what
                + " (expected: services, services/stream, services/<name>, services/<name>/metrics[/stream], messages, messages/<type>)"));
  }

  private static Reply json(Object value) {
    Reply reply =
        Reply.bytes(
            HttpResponseStatus.OK, Reply.JSON, Json.write(value).getBytes(StandardCharsets.UTF_8));
    reply.headers().set("cache-control", "no-cache");
    return reply;
  }

  // services, live

  private void watchNew(List<String> names) {
    for (String name : names) {
      if (name.equals(self) || services.containsKey(name)) {
        continue;
      }
      services.put(name, List.of());
      running.add(
          registry
              .watch(name)
              .subscribe(
                  list -> {
                    services.put(name, List.copyOf(list));
                    emit(changes, servicesJson());
                  },
                  e -> {
                    log.warn("console: watch of {}: {}", name, e.toString());
                    services.remove(name);
                  }));
    }
  }

  /** Sinks take one emitter at a time; the registry's and the sampler's threads take turns. */
  private void emit(Sinks.Many<String> sink, String value) {
    synchronized (changes) {
      sink.tryEmitNext(value);
    }
  }

  private String servicesJson() {
    List<Object> list = new ArrayList<>();
    new TreeMap<>(services)
        .forEach(
            (name, instances) -> {
              Map<String, Object> service = new LinkedHashMap<>();
              service.put("name", name);
              service.put("instances", instances.size());
              service.put(
                  "transports",
                  instances.stream().map(ServiceInstance::transport).distinct().sorted().toList());
              service.put(
                  "versions",
                  instances.stream()
                      .map(ServiceInstance::version)
                      .filter(v -> !v.isEmpty())
                      .distinct()
                      .sorted()
                      .toList());
              list.add(service);
            });
    return Json.write(list);
  }

  /**
   * Server-sent events: {@code event: services} with the whole list on each change, a comment every
   * 15 s.
   */
  private static Reply stream(String event, Flux<String> json) {
    Flux<ByteBuf> events =
        Flux.merge(
                json.map(data -> "event: " + event + "\ndata: " + data + "\n\n"),
                Flux.interval(Duration.ofSeconds(15)).map(tick -> ": keep-alive\n\n"))
            .map(text -> Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    Reply reply = Reply.stream(SSE, events);
    reply.headers().set("cache-control", "no-cache");
    return reply;
  }

  // one service

  private Mono<Map<String, Object>> service(String name) {
    Mono<List<ServiceInstance>> instances = registry.instances(name);
    return instances.flatMap(
        list -> {
          Mono<List<Object>> described =
              Flux.fromIterable(list).flatMapSequential(this::instance).collectList();
          Mono<Object> endpoints =
              calls
                  .schema(name)
                  .<Object>map(Schemas::endpoints)
                  .onErrorResume(
                      e ->
                          Mono.just(
                              Map.of(
                                  "error", String.valueOf(VireoException.from(e).getMessage()))));
          return Mono.zip(described, list.isEmpty() ? Mono.just(List.of()) : endpoints)
              .map(
                  both -> {
                    Map<String, Object> service = new LinkedHashMap<>();
                    service.put("name", name);
                    service.put("breaker", chains.breakerState(name).orElse(null));
                    service.put("instances", both.getT1());
                    if (both.getT2() instanceof Map<?, ?> error) {
                      service.put("endpoints", List.of());
                      service.put("schemaError", error.get("error"));
                    } else {
                      service.put("endpoints", both.getT2());
                    }
                    return service;
                  });
        });
  }

  private Mono<Object> instance(ServiceInstance instance) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", instance.id());
    json.put("address", instance.address());
    json.put("transport", instance.transport());
    json.put("version", instance.version());
    json.put("weight", instance.weight());
    json.put("metadata", new TreeMap<>(instance.metadata()));
    Optional<Integer> admin = Metrics.adminPort(instance);
    if (admin.isEmpty()) {
      json.put("ready", "UNKNOWN");
      json.put(
          "readyDetail",
          "no "
              + ServiceInstance.ADMIN_PORT_METADATA
              + " in the metadata (vireo.admin.port not set)");
      return Mono.just(json);
    }
    return client
        .get()
        .get()
        .uri("http://" + host(instance) + ":" + admin.get() + "/health/ready")
        .responseSingle(
            (response, body) ->
                body.asString()
                    .defaultIfEmpty("")
                    .map(text -> Map.entry(response.status().code(), text)))
        .timeout(probeTimeout)
        .map(
            reply -> {
              json.put("ready", reply.getKey() == 200 ? "UP" : "DOWN");
              json.put("readyDetail", reply.getValue());
              return (Object) json;
            })
        .onErrorResume(
            e -> {
              json.put("ready", "UNREACHABLE");
              json.put("readyDetail", e.toString());
              return Mono.just(json);
            });
  }

  private static String host(ServiceInstance instance) {
    return instance.host().contains(":") ? "[" + instance.host() + "]" : instance.host();
  }

  // events

  private Mono<Object> messages() {
    return Flux.fromIterable(new TreeMap<>(services).entrySet())
        .filter(entry -> !entry.getValue().isEmpty())
        .flatMap(
            entry ->
                calls
                    .schema(entry.getKey())
                    .map(Schemas::messages)
                    .onErrorResume(e -> Mono.just(List.of())),
            4)
        .flatMapIterable(list -> list)
        .distinct()
        .sort()
        .collectList()
        .map(list -> (Object) list);
  }

  private Mono<Object> message(String type) {
    return Flux.fromIterable(new TreeMap<>(services).entrySet())
        .filter(entry -> !entry.getValue().isEmpty())
        .concatMap(
            entry ->
                calls
                    .schema(entry.getKey())
                    .flatMap(schema -> Mono.justOrEmpty(schema.message(type)))
                    .onErrorResume(e -> Mono.empty()))
        .next()
        .map(descriptor -> (Object) Schemas.messageSchema(descriptor))
        .switchIfEmpty(
            Mono.error(
                () ->
                    new VireoException(
                        Status.NOT_FOUND,
                        "no message "
                            + type
                            + " in the running services' descriptors (expected: a full name such as vireo.samples.orders.OrderPlaced)")));
  }

  // metrics

  private Map<String, Object> metricsOf(String name) {
    Metrics found = metrics.get(name);
    return found == null ? Map.of() : found.json();
  }

  private Mono<Void> sample() {
    return Flux.fromIterable(new TreeMap<>(services).entrySet())
        .flatMap(
            entry ->
                Flux.fromIterable(entry.getValue())
                    .flatMap(this::scrape, 8)
                    .collectList()
                    .publishOn(Schedulers.parallel())
                    .doOnNext(
                        scrapes ->
                            metrics
                                .computeIfAbsent(entry.getKey(), k -> new Metrics(samples))
                                .add(System.currentTimeMillis(), scrapes))
                    .doOnNext(scrapes -> emit(sampled, entry.getKey())),
            4)
        .then()
        .onErrorResume(
            e -> {
              log.debug("console: metrics: {}", e.toString());
              return Mono.empty();
            });
  }

  private Mono<String> scrape(ServiceInstance instance) {
    Optional<Integer> admin = Metrics.adminPort(instance);
    if (admin.isEmpty()) {
      return Mono.empty();
    }
    return client
        .get()
        .get()
        .uri("http://" + host(instance) + ":" + admin.get() + "/metrics")
        .responseSingle(
            (response, body) ->
                response.status().code() == 200 ? body.asString() : Mono.<String>empty())
        .timeout(probeTimeout)
        .onErrorResume(e -> Mono.empty());
  }
}
