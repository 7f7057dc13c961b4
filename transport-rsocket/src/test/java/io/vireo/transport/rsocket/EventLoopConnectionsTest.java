package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.RpcService;
import io.vireo.Service;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpResources;
import reactor.test.StepVerifier;

/** vireo.transport.rsocket.connection-per-event-loop: a call stays on the loop it is made on. */
class EventLoopConnectionsTest {
  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.loops.Echo")
  public interface Echo {
    Mono<Pong> ping(Ping ping);
  }

  static final Route PING = Route.of("vireo.test.loops.Echo", "Ping");

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final List<Service> services = new ArrayList<>();
  final List<Connection> connections = new ArrayList<>();

  @AfterEach
  void stop() {
    connections.forEach(Connection::dispose);
    services.forEach(Service::stop);
  }

  ServiceInstance serve() {
    Service service =
        Service.builder("echo")
            .registry(registry.handle())
            .set("vireo.transport", "rsocket")
            .set("vireo.codec", "json")
            .set("vireo.server.shutdown-timeout", "1s")
            .handle(Echo.class, ping -> Mono.just(new Pong("echo " + ping.from())))
            .build()
            .start();
    services.add(service);
    return service.instance().orElseThrow();
  }

  Connection connect(ServiceInstance instance, boolean perLoop) {
    RSocketTransport transport =
        RSocketTransport.of(
            Config.of(
                Map.of(RSocketTransport.CONNECTION_PER_EVENT_LOOP_KEY, Boolean.toString(perLoop))));
    Connection connection = transport.connect(instance).block(Duration.ofSeconds(10));
    connections.add(connection);
    return connection;
  }

  static Frame ping(String from) {
    return new Frame(
        PING,
        "application/json",
        Headers.empty(),
        ("{\"from\":\"" + from + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  static List<EventLoop> loops() {
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor executor : TcpResources.get().onClient(LoopResources.hasNativeSupport())) {
      loops.add((EventLoop) executor);
    }
    return loops;
  }

  /** For each loop: whether the answer to a call made on it arrived on it. */
  static List<Boolean> answeredOnCallersLoop(Connection connection) {
    List<Boolean> same = new ArrayList<>();
    for (EventLoop loop : loops()) {
      CompletableFuture<Boolean> answered = new CompletableFuture<>();
      loop.execute(
          () ->
              connection
                  .requestResponse(ping("loop"))
                  .subscribe(
                      reply -> answered.complete(loop.inEventLoop()),
                      answered::completeExceptionally));
      same.add(answered.orTimeout(10, TimeUnit.SECONDS).join());
    }
    return same;
  }

  @Test
  void aCallMadeOnAnEventLoopIsAnsweredOnThatLoop() {
    ServiceInstance instance = serve();
    Connection connection = connect(instance, true);
    assertThat(loops()).hasSizeGreaterThan(1);
    assertThat(answeredOnCallersLoop(connection)).containsOnly(true);

    // a caller on no loop is served too, by the connections in turn
    for (int i = 0; i < loops().size() + 1; i++) {
      StepVerifier.create(
              connection
                  .requestResponse(ping("thread " + i))
                  .map(bytes -> new String(bytes, StandardCharsets.UTF_8)))
          .expectNext("{\"by\":\"echo thread " + i + "\"}")
          .verifyComplete();
    }
  }

  @Test
  void withOneConnectionPerInstanceMostLoopsAreAnsweredOnAnother() {
    Connection connection = connect(serve(), false);
    assertThat(answeredOnCallersLoop(connection)).contains(false);
  }

  @Test
  void theConnectionsCloseTogetherWhenTheServerGoes() {
    Connection connection = connect(serve(), true);
    StepVerifier.create(connection.requestResponse(ping("before")))
        .expectNextCount(1)
        .verifyComplete();
    services.remove(0).stop();
    StepVerifier.create(connection.onClose()).expectComplete().verify(Duration.ofSeconds(10));
    assertThat(connection.isDisposed()).isTrue();
  }
}
