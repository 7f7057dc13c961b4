package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** vireo.server.max-concurrent-streams and vireo.server.idle-timeout on RSocket. */
class LimitsTest {
  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.limits.Echo")
  public interface Echo {
    Mono<Pong> ping(Ping ping);

    Flux<Pong> pings(Ping ping);
  }

  static final Route PING = Route.of("vireo.test.limits.Echo", "Ping");
  static final Route PINGS = Route.of("vireo.test.limits.Echo", "Pings");

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final List<Service> services = new ArrayList<>();
  final List<Connection> connections = new ArrayList<>();
  final RSocketTransport client = RSocketTransport.of();

  /** Requests to "hold" that the handler has started and not answered yet. */
  final Queue<Sinks.One<Pong>> held = new ConcurrentLinkedQueue<>();

  @AfterEach
  void stop() {
    held.forEach(sink -> sink.tryEmitValue(new Pong("released")));
    connections.forEach(Connection::dispose);
    services.forEach(Service::stop);
  }

  ServiceInstance serve(String key, String value) {
    Echo echo =
        new Echo() {
          @Override
          public Mono<Pong> ping(Ping ping) {
            if (!ping.from().equals("hold")) {
              return Mono.just(new Pong("echo " + ping.from()));
            }
            Sinks.One<Pong> answer = Sinks.one();
            held.add(answer);
            return answer.asMono();
          }

          @Override
          public Flux<Pong> pings(Ping ping) {
            return ping(ping).flux();
          }
        };
    Service service =
        Service.builder("echo")
            .registry(registry.handle())
            .set("vireo.transport", "rsocket")
            .set("vireo.codec", "json")
            .set("vireo.server.shutdown-timeout", "1s")
            .set(key, value)
            .handle(Echo.class, echo)
            .build()
            .start();
    services.add(service);
    return service.instance().orElseThrow();
  }

  Connection connect(ServiceInstance instance) {
    Connection connection = client.connect(instance).block(Duration.ofSeconds(10));
    connections.add(connection);
    return connection;
  }

  static Frame ping(Route route, String from) {
    return new Frame(
        route,
        "application/json",
        Headers.empty(),
        ("{\"from\":\"" + from + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void requestsBeyondMaxConcurrentStreamsAreResourceExhausted() {
    ServiceInstance instance = serve("vireo.server.max-concurrent-streams", "2");
    Connection connection = connect(instance);
    List<String> answers = new CopyOnWriteArrayList<>();
    // the held calls end when the test closes the connection: that error is expected, not news
    connection
        .requestResponse(ping(PING, "hold"))
        .map(LimitsTest::text)
        .subscribe(answers::add, closed -> {});
    connection
        .requestStream(ping(PINGS, "hold"))
        .map(LimitsTest::text)
        .subscribe(answers::add, closed -> {});
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);

    StepVerifier.create(connection.requestResponse(ping(PING, "third")))
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(VireoException.class);
              assertThat(((VireoException) error).status()).isEqualTo(Status.RESOURCE_EXHAUSTED);
              assertThat(error.getMessage())
                  .contains("at most 2 at once, vireo.server.max-concurrent-streams");
            })
        .verify(Duration.ofSeconds(10));
    StepVerifier.create(connection.requestStream(ping(PINGS, "fourth")))
        .expectErrorSatisfies(
            error ->
                assertThat(((VireoException) error).status()).isEqualTo(Status.RESOURCE_EXHAUSTED))
        .verify(Duration.ofSeconds(10));
    assertThat(held).hasSize(2);

    // a request that ends frees its place; the connection stays usable
    held.poll().tryEmitValue(new Pong("first"));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 1);
    StepVerifier.create(connection.requestResponse(ping(PING, "again")).map(LimitsTest::text))
        .expectNext("{\"by\":\"echo again\"}")
        .verifyComplete();
    assertThat(connection.isDisposed()).isFalse();
  }

  @Test
  void serverClosesAConnectionIdleForIdleTimeoutButNotOneWithAnOpenRequest() {
    ServiceInstance instance = serve("vireo.server.idle-timeout", "300ms");
    Connection busy = connect(instance);
    List<String> answers = new CopyOnWriteArrayList<>();
    busy.requestStream(ping(PINGS, "hold"))
        .map(LimitsTest::text)
        .subscribe(answers::add, closed -> {}); // ends when the test closes the connection
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);

    Connection idle = connect(instance);
    StepVerifier.create(idle.requestResponse(ping(PING, "once")).map(LimitsTest::text))
        .expectNext("{\"by\":\"echo once\"}")
        .verifyComplete();
    await().atMost(Duration.ofSeconds(10)).until(idle::isDisposed);
    // the open stream keeps its connection: the timer starts when its last request ends
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !busy.isDisposed());

    held.poll().tryEmitValue(new Pong("done"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> answers.equals(List.of("{\"by\":\"done\"}")));
    await().atMost(Duration.ofSeconds(10)).until(busy::isDisposed);

    // the server keeps serving: a new connection works
    StepVerifier.create(
            connect(instance).requestResponse(ping(PING, "later")).map(LimitsTest::text))
        .expectNext("{\"by\":\"echo later\"}")
        .verifyComplete();
  }

  @Test
  void badLimitsFailNamingTheKey() {
    assertThatThrownBy(
            () ->
                RSocketTransport.of(Config.of(Map.of("vireo.server.max-concurrent-streams", "-3"))))
        .hasMessageContaining("vireo.server.max-concurrent-streams: -3 (expected: > 0)");
    assertThatThrownBy(
            () -> RSocketTransport.of(Config.of(Map.of("vireo.server.idle-timeout", "-1s"))))
        .hasMessageContaining("vireo.server.idle-timeout");
  }
}
