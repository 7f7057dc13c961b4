package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.reply;
import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Service;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
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

/** vireo.server.max-concurrent-streams and vireo.server.idle-timeout on gRPC. */
class GrpcLimitsTest {
  static final Route SAY_HELLO = Route.of("vireo.samples.greeter.Greeter", "SayHello");

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final List<Service> services = new ArrayList<>();
  final GrpcTransport client = GrpcTransport.builder().eventLoopThreads(1).build();

  /** Calls to "hold" that the handler has started and not yet answered. */
  final Queue<Sinks.One<HelloReply>> held = new ConcurrentLinkedQueue<>();

  @AfterEach
  void stop() {
    held.forEach(sink -> sink.tryEmitValue(reply("released")));
    services.forEach(Service::stop);
    client.close().block(Duration.ofSeconds(10));
  }

  ServiceInstance serve(String key, String value) {
    Greeter greeter =
        new Greeter() {
          @Override
          public Mono<HelloReply> sayHello(HelloRequest request) {
            if (!request.getName().equals("hold")) {
              return Mono.just(reply("Hello, " + request.getName()));
            }
            Sinks.One<HelloReply> answer = Sinks.one();
            held.add(answer);
            return answer.asMono();
          }

          @Override
          public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
            return Flux.empty();
          }

          @Override
          public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
            return requests.then(Mono.just(reply("")));
          }

          @Override
          public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
            return Flux.empty();
          }
        };
    Service service =
        Service.builder("greeter")
            .registry(registry.handle())
            .set("vireo.transport", "grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "200ms")
            .set(key, value)
            .handle(Greeter.class, greeter)
            .build()
            .start();
    services.add(service);
    return service.instance().orElseThrow();
  }

  static Frame hello(String name) {
    return new Frame(
        SAY_HELLO, "application/x-protobuf", Headers.empty(), request(name).toByteArray());
  }

  static Mono<String> message(Mono<byte[]> reply) {
    return reply.map(
        bytes -> {
          try {
            return HelloReply.parseFrom(bytes).getMessage();
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void callsBeyondMaxConcurrentStreamsWaitForAFreeStream() {
    ServiceInstance instance = serve("vireo.server.max-concurrent-streams", "2");
    Connection connection = client.connect(instance).block(Duration.ofSeconds(10));
    List<String> answers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 3; i++) {
      message(connection.requestResponse(hello("hold"))).subscribe(answers::add);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
    // the server advertised 2 streams: the third call is not started while two are open
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> held.size() == 2);

    held.poll().tryEmitValue(reply("first"));
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2 && answers.size() == 1);
    held.forEach(sink -> sink.tryEmitValue(reply("later")));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 3);
    assertThat(answers).containsExactly("first", "later", "later");
    assertThat(connection.isDisposed()).isFalse();
  }

  @Test
  void serverClosesAConnectionIdleForIdleTimeoutButNotOneWithAnOpenCall() {
    ServiceInstance instance = serve("vireo.server.idle-timeout", "300ms");
    Connection busy = client.connect(instance).block(Duration.ofSeconds(10));
    List<String> answers = new CopyOnWriteArrayList<>();
    message(busy.requestResponse(hello("hold"))).subscribe(answers::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);

    Connection idle = client.connect(instance).block(Duration.ofSeconds(10));
    StepVerifier.create(message(idle.requestResponse(hello("Ada"))))
        .expectNext("Hello, Ada")
        .verifyComplete();
    await().atMost(Duration.ofSeconds(10)).until(idle::isDisposed);
    // a connection with a call open stays: the idle timer starts when its last call ends
    assertThat(busy.isDisposed()).isFalse();
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !busy.isDisposed());

    held.poll().tryEmitValue(reply("done"));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.equals(List.of("done")));
    await().atMost(Duration.ofSeconds(10)).until(busy::isDisposed);

    // the next connection works as before
    Connection again = client.connect(instance).block(Duration.ofSeconds(10));
    StepVerifier.create(message(again.requestResponse(hello("Grace"))))
        .expectNext("Hello, Grace")
        .verifyComplete();
  }

  @Test
  void badLimitsFailNamingTheKey() {
    assertThatThrownBy(
            () -> GrpcTransport.of(Config.of(Map.of("vireo.server.max-concurrent-streams", "0"))))
        .hasMessageContaining("vireo.server.max-concurrent-streams: 0 (expected: > 0)");
    assertThatThrownBy(
            () -> GrpcTransport.of(Config.of(Map.of("vireo.server.idle-timeout", "-1s"))))
        .hasMessageContaining("vireo.server.idle-timeout");
  }
}
