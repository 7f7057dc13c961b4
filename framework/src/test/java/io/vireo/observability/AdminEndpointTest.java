package io.vireo.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vireo.CallOptions;
import io.vireo.Route;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.resilience.CircuitBreakerPolicy;
import io.vireo.resilience.Resilience;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The admin endpoint over real HTTP, on services that call each other on the embedded plugins. */
class AdminEndpointTest {
  record Req(String name) {}

  record Reply(String message) {}

  record Echoed(String name) {}

  @RpcService("vireo.test.Echo")
  public interface Echo {
    Mono<Reply> echo(Req request);
  }

  static final class EchoImpl implements Echo {
    @Override
    public Mono<Reply> echo(Req request) {
      switch (request.name()) {
        case "missing":
          return Mono.error(VireoException.of(Status.NOT_FOUND, "no such name"));
        case "broken":
          return Mono.error(VireoException.of(Status.INTERNAL, "broken on purpose"));
        default:
          return Mono.just(new Reply("echo " + request.name()));
      }
    }
  }

  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final ObjectMapper JSON = new ObjectMapper();

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final MemoryBroker broker = MemoryBroker.newStore(100);
  final List<Service> services = new ArrayList<>();

  @AfterEach
  void stop() {
    services.forEach(Service::stop);
  }

  Service start(Service.Builder builder) {
    Service service = builder.build().start();
    services.add(service);
    return service;
  }

  Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .broker(broker.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json");
  }

  static HttpResponse<String> get(Service service, String path) throws Exception {
    InetSocketAddress admin = service.adminAddress().orElseThrow();
    URI uri = URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + path);
    return HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of the one Prometheus sample of {@code metric} whose labels include all of {@code
   * labels}.
   */
  static double sample(String scrape, String metric, String... labels) {
    List<Double> values = new ArrayList<>();
    Matcher matcher =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
    while (matcher.find()) {
      if (List.of(matcher.group(1).split(",")).containsAll(List.of(labels))) {
        values.add(Double.parseDouble(matcher.group(2)));
      }
    }
    assertThat(values)
        .as("samples of %s with %s in:%n%s", metric, List.of(labels), scrape)
        .hasSize(1);
    return values.get(0);
  }

  @Test
  void metricsEndpointShowsTheCallsAndEventsMade() throws Exception {
    List<String> audited = new CopyOnWriteArrayList<>();
    Service echo =
        start(
            embedded("echo")
                .handle(Echo.class, new EchoImpl())
                .set("vireo.wrappers", "metrics")
                .set("vireo.admin.port", "0")
                .subscribe(
                    "echoed",
                    Echoed.class,
                    event -> Mono.fromRunnable(() -> audited.add(event.name()))));
    MeterRegistry callerMeters = new SimpleMeterRegistry();
    Service caller = start(embedded("caller").wrap(Metrics.of(callerMeters)));
    Echo client = caller.client("echo", Echo.class);
    for (int i = 0; i < 3; i++) {
      StepVerifier.create(client.echo(new Req("n" + i)))
          .expectNext(new Reply("echo n" + i))
          .verifyComplete();
    }
    StepVerifier.create(client.echo(new Req("missing")))
        .expectError(VireoException.class)
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(caller.publish("echoed", new Echoed("a"))).verifyComplete();
    await().atMost(Duration.ofSeconds(5)).until(() -> audited.size() == 1);

    HttpResponse<String> metrics = get(echo, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    String scrape = metrics.body();
    String endpoint = "endpoint=\"vireo.test.Echo.Echo\"";
    assertThat(
            sample(
                scrape,
                "vireo_server_calls_seconds_count",
                endpoint,
                "service=\"echo\"",
                "status=\"OK\""))
        .isEqualTo(3);
    assertThat(sample(scrape, "vireo_server_calls_seconds_count", endpoint, "status=\"NOT_FOUND\""))
        .isEqualTo(1);
    assertThat(sample(scrape, "vireo_server_calls_active", endpoint)).isZero();
    assertThat(scrape).contains("vireo_server_calls_seconds_bucket{");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        sample(
                            get(echo, "/metrics").body(),
                            "vireo_events_consumed_seconds_count",
                            "topic=\"echoed\"",
                            "status=\"OK\""))
                    .isEqualTo(1));

    assertThat(
            callerMeters
                .get("vireo.client.calls")
                .tags("service", "echo", "status", "OK")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(callerMeters.get("vireo.client.calls").tags("status", "NOT_FOUND").timer().count())
        .isEqualTo(1);
    assertThat(
            callerMeters
                .get("vireo.events.published")
                .tags("topic", "echoed", "status", "OK")
                .counter()
                .count())
        .isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        callerMeters
                            .get("vireo.registry.instances")
                            .tags("service", "echo")
                            .gauge()
                            .value())
                    .isEqualTo(1));
    Service second = start(embedded("echo").handle(Echo.class, new EchoImpl()));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        callerMeters
                            .get("vireo.registry.instances")
                            .tags("service", "echo")
                            .gauge()
                            .value())
                    .isEqualTo(2));
    assertThat(second.isRunning()).isTrue();
  }

  @Test
  void breakerStateAndRejectionsAreMeasured() {
    start(embedded("echo").handle(Echo.class, new EchoImpl()));
    MeterRegistry meters = new SimpleMeterRegistry();
    Echo client =
        start(
                embedded("caller")
                    .set("vireo.client.retries", "0")
                    .wrap(
                        Metrics.of(meters),
                        Resilience.circuitBreaker(
                            CircuitBreakerPolicy.defaults().slidingWindowSize(2))))
            .client("echo", Echo.class);
    StepVerifier.create(client.echo(new Req("ok"))).expectNextCount(1).verifyComplete();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        meters
                            .get("vireo.resilience.breaker.state")
                            .tags("service", "echo")
                            .gauge()
                            .value())
                    .isZero());
    for (int i = 0; i < 2; i++) {
      StepVerifier.create(client.echo(new Req("broken")))
          .expectError(VireoException.class)
          .verify(Duration.ofSeconds(5));
    }
    assertThat(meters.get("vireo.resilience.breaker.state").tags("service", "echo").gauge().value())
        .isEqualTo(1);
    double unavailable =
        meters.find("vireo.client.calls").tags("status", "UNAVAILABLE").timers().stream()
            .mapToDouble(Timer::count)
            .sum();
    StepVerifier.create(client.echo(new Req("ok")))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(Duration.ofSeconds(5));
    assertThat(
            meters
                .get("vireo.client.calls")
                .tags("service", "echo", "status", "UNAVAILABLE")
                .timer()
                .count())
        .as("the rejected call")
        .isEqualTo((long) unavailable + 1);
  }

  @Test
  void healthTurnsNotReadyWhileTheServiceIsDeregisteredAndBack() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean(true);
    Service echo =
        start(
            embedded("echo")
                .handle(Echo.class, new EchoImpl())
                .set("vireo.admin.port", "0")
                .set("vireo.registry.health-interval", "50ms")
                .healthCheck(() -> Mono.fromSupplier(healthy::get)));
    HttpResponse<String> ready = get(echo, "/health");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(ready.body());
    assertThat(body.get("status").asText()).isEqualTo("UP");
    assertThat(body.get("live").asBoolean()).isTrue();
    assertThat(body.get("ready").asBoolean()).isTrue();
    assertThat(body.get("checks").get("registered").asBoolean()).isTrue();
    assertThat(body.get("checks").get("registry").asBoolean()).isTrue();
    assertThat(get(echo, "/health/ready").statusCode()).isEqualTo(200);

    healthy.set(false);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(get(echo, "/health").statusCode()).isEqualTo(503));
    JsonNode down = JSON.readTree(get(echo, "/health").body());
    assertThat(down.get("ready").asBoolean()).isFalse();
    assertThat(down.get("checks").get("registered").asBoolean()).isFalse();
    assertThat(get(echo, "/health/ready").statusCode()).isEqualTo(503);
    assertThat(get(echo, "/health/live").statusCode()).isEqualTo(200);
    StepVerifier.create(registry.instances("echo")).expectNext(List.of()).verifyComplete();

    healthy.set(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(get(echo, "/health/ready").statusCode()).isEqualTo(200));
  }

  static HttpResponse<String> post(Service service, String path) throws Exception {
    InetSocketAddress admin = service.adminAddress().orElseThrow();
    URI uri = URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + path);
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void startupIsUpOnceStartedAndTheAdminPortIsInTheRegisteredMetadata() throws Exception {
    Service echo =
        start(embedded("echo").handle(Echo.class, new EchoImpl()).set("vireo.admin.port", "0"));
    HttpResponse<String> startup = get(echo, "/health/startup");
    assertThat(startup.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(startup.body()).get("started").asBoolean()).isTrue();
    assertThat(echo.instance().orElseThrow().metadata())
        .containsEntry(
            ServiceInstance.ADMIN_PORT_METADATA,
            Integer.toString(echo.adminAddress().orElseThrow().getPort()));
    assertThat(registry.instances("echo").block(Duration.ofSeconds(5)))
        .singleElement()
        .satisfies(i -> assertThat(i.metadata()).containsKey(ServiceInstance.ADMIN_PORT_METADATA));
  }

  @Test
  void offlineDeregistersWithoutStoppingAndOnlineRegistersAgain() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean(true);
    Service echo =
        start(
            embedded("echo")
                .handle(Echo.class, new EchoImpl())
                .set("vireo.admin.port", "0")
                .set("vireo.registry.health-interval", "50ms")
                .healthCheck(() -> Mono.fromSupplier(healthy::get)));
    Service caller = start(embedded("caller"));
    Echo client = caller.client("echo", Echo.class);
    assertThat(client.echo(new Req("a")).block(Duration.ofSeconds(5)))
        .isEqualTo(new Reply("echo a"));

    HttpResponse<String> offline = post(echo, "/admin/offline");
    assertThat(offline.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(offline.body()).get("offline").asBoolean()).isTrue();
    assertThat(registry.instances("echo").block(Duration.ofSeconds(5))).isEmpty();
    assertThat(get(echo, "/health/ready").statusCode()).isEqualTo(503);
    assertThat(
            JSON.readTree(get(echo, "/health/ready").body())
                .get("checks")
                .get("online")
                .asBoolean())
        .isFalse();
    assertThat(get(echo, "/health/live").statusCode()).isEqualTo(200);
    assertThat(get(echo, "/health/startup").statusCode()).isEqualTo(200);
    assertThat(echo.isRunning()).isTrue();
    // still served, for a caller that holds the instance
    String id = echo.instance().orElseThrow().id();
    assertThat(
            caller
                .genericClient("echo")
                .unary(Route.of("vireo.test.Echo", "Echo"), "{\"name\":\"b\"}".getBytes())
                .contextWrite(CallOptions.instance(id))
                .onErrorResume(e -> Mono.just(e.getMessage().getBytes()))
                .block(Duration.ofSeconds(5)))
        .as("a pinned call to an instance the registry no longer lists is refused by the client")
        .asString()
        .contains("not registered");
    // the health checks, passing, do not put it back
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> registry.instances("echo").block(Duration.ofSeconds(5)).isEmpty());

    HttpResponse<String> online = post(echo, "/admin/online");
    assertThat(online.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(online.body()).get("registered").asBoolean()).isTrue();
    assertThat(registry.instances("echo").block(Duration.ofSeconds(5))).hasSize(1);
    assertThat(get(echo, "/health/ready").statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(client.echo(new Req("c")).block(Duration.ofSeconds(5)))
                    .isEqualTo(new Reply("echo c")));
  }

  @Test
  void offlineOfAServiceWithoutHandlersIsAConflict() throws Exception {
    Service caller = start(embedded("caller").set("vireo.admin.port", "0"));
    HttpResponse<String> offline = post(caller, "/admin/offline");
    assertThat(offline.statusCode()).isEqualTo(409);
    assertThat(offline.body()).contains("serves no handlers");
  }

  @Test
  void infoShowsNameVersionInstancesEndpointsAndPlugins() throws Exception {
    Service echo =
        start(
            embedded("echo")
                .version("1.2.3")
                .handle(Echo.class, new EchoImpl())
                .set("vireo.admin.port", "0")
                .set("vireo.wrappers", "logging"));
    HttpResponse<String> info = get(echo, "/info");
    assertThat(info.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(info.body());
    assertThat(body.get("name").asText()).isEqualTo("echo");
    assertThat(body.get("version").asText()).isEqualTo("1.2.3");
    assertThat(body.get("instances").get(0).get("id").asText())
        .isEqualTo(echo.instance().orElseThrow().id());
    assertThat(body.get("instances").get(0).get("transport").asText()).isEqualTo("memory");
    assertThat(body.get("endpoints"))
        .extracting(JsonNode::asText)
        .containsExactly(
            "grpc.reflection.v1.ServerReflection.ServerReflectionInfo",
            "grpc.reflection.v1alpha.ServerReflection.ServerReflectionInfo",
            "vireo.test.Echo.Echo");
    assertThat(body.get("plugins").get("transport").asText()).isEqualTo("memory");
    assertThat(body.get("plugins").get("codec").asText()).isEqualTo("json");
    assertThat(body.get("plugins").get("wrappers").asText()).contains("LoggingWrapper");
    assertThat(get(echo, "/metrics").statusCode()).as("no metrics wrapper").isEqualTo(404);
  }

  @Test
  void nothingRunsWhenNothingIsConfigured() throws Exception {
    Service plain = start(embedded("plain").handle(Echo.class, new EchoImpl()));
    assertThat(plain.adminAddress()).isEmpty();
    // tracing without an OpenTelemetry SDK puts no wrapper in any chain
    Service traced =
        start(
            embedded("traced")
                .handle(Echo.class, new EchoImpl())
                .set("vireo.wrappers", "tracing")
                .set("vireo.admin.port", "0"));
    JsonNode info = JSON.readTree(get(traced, "/info").body());
    assertThat(info.get("plugins").get("wrappers").asText()).isEmpty();
  }

  @Test
  void adminStopsWithTheService() throws Exception {
    Service echo =
        embedded("echo")
            .handle(Echo.class, new EchoImpl())
            .set("vireo.admin.port", "0")
            .build()
            .start();
    assertThat(get(echo, "/health/live").statusCode()).isEqualTo(200);
    InetSocketAddress admin = echo.adminAddress().orElseThrow();
    echo.stop();
    assertThat(echo.adminAddress()).isEmpty();
    // an HTTP request rather than a bare connect: it fails even in the rare case where the
    // kernel hands the probe socket the very port it connects to (a TCP self-connect)
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/health/live"))
            .timeout(Duration.ofSeconds(5))
            .build();
    HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Assertions.assertThatThrownBy(() -> fresh.send(probe, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }
}
