package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vireo.CallKind;
import io.vireo.CallOptions;
import io.vireo.Route;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.reflection.SchemaCache;
import io.vireo.reflection.ServiceSchema;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.selector.Filter;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Generic calls of every kind, instance pinning, per-call filters and schemas learned through
 * server reflection, on each transport: real servers on loopback (memory in the JVM).
 */
class GenericClientTest {
  static final String GREETER = "vireo.samples.greeter.Greeter";
  static final Duration WAIT = Duration.ofSeconds(20);

  /** A fire-and-forget endpoint (proto methods cannot say so, so it is not in greeter.proto). */
  @RpcService("vireo.samples.greeter.Notifier")
  interface Notifier {
    Mono<Void> notify(HelloRequest request);
  }

  /** The test greeter, with {@code tag} answering which instance this is. */
  static final class TaggedGreeter implements Greeter {
    final TestGreeter greeter = new TestGreeter();
    final String tag;

    TaggedGreeter(String tag) {
      this.tag = tag;
    }

    @Override
    public Mono<HelloReply> sayHello(HelloRequest request) {
      switch (request.getName()) {
        case "tag":
          return Mono.just(TestGreeter.reply(tag));
        case "flaky":
          return tag.equals("a")
              ? Mono.error(VireoException.of(Status.UNAVAILABLE, "instance a is flaky"))
              : Mono.just(TestGreeter.reply(tag));
        default:
          return greeter.sayHello(request);
      }
    }

    @Override
    public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
      return greeter.lotsOfReplies(request);
    }

    @Override
    public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
      return greeter.lotsOfGreetings(requests);
    }

    @Override
    public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
      return greeter.bidiHello(requests);
    }
  }

  private final List<Service> started = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> notified = new ConcurrentLinkedQueue<>();
  private final MemoryRegistry registry = MemoryRegistry.newStore();

  @AfterEach
  void stop() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).stop();
    }
  }

  private Service greeter(String transport, String tag) {
    Service service =
        Service.builder("greeter")
            .set("vireo.transport", transport)
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .metadata("tag", tag)
            .registry(registry)
            .handle(Greeter.class, new TaggedGreeter(tag))
            .handle(
                Notifier.class, request -> Mono.fromRunnable(() -> notified.add(request.getName())))
            .build()
            .start();
    started.add(service);
    return service;
  }

  private Service caller(String transport) {
    Service service =
        Service.builder("caller")
            .set("vireo.transport", transport)
            // a codec other than proto: generic payloads still travel as protobuf
            .set("vireo.codec", "json")
            .registry(registry)
            .build()
            .start();
    started.add(service);
    return service;
  }

  private static byte[] hello(String name) {
    return request(name).toByteArray();
  }

  private static String message(byte[] reply) {
    try {
      return HelloReply.parseFrom(reply).getMessage();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "rsocket", "grpc"})
  void callsEveryKindWithProtobufBytes(String transport) {
    greeter(transport, "a");
    GenericClient client = caller(transport).genericClient("greeter");
    assertThat(client.service()).isEqualTo("greeter");

    StepVerifier.create(
            client
                .unary(Route.of(GREETER, "SayHello"), hello("Ada"))
                .map(GenericClientTest::message))
        .expectNext("Hello, Ada")
        .expectComplete()
        .verify(WAIT);
    StepVerifier.create(
            client
                .serverStream(Route.of(GREETER, "LotsOfReplies"), hello("Ada"))
                .map(GenericClientTest::message))
        .expectNext("Hello #1, Ada", "Hello #2, Ada", "Hello #3, Ada")
        .expectComplete()
        .verify(WAIT);
    StepVerifier.create(
            client
                .clientStream(
                    Route.of(GREETER, "LotsOfGreetings"), Flux.just(hello("a"), hello("b")))
                .map(GenericClientTest::message))
        .expectNext("Hello, a, b")
        .expectComplete()
        .verify(WAIT);
    StepVerifier.create(
            client
                .bidiStream(Route.of(GREETER, "BidiHello"), Flux.just(hello("a"), hello("b")))
                .map(GenericClientTest::message))
        .expectNext("Hi, a", "Hi, b")
        .expectComplete()
        .verify(WAIT);
    StepVerifier.create(
            client.fireAndForget(
                Route.of("vireo.samples.greeter.Notifier", "Notify"), hello("ping")))
        .expectComplete()
        .verify(WAIT);
    Awaitility.await().atMost(WAIT).until(() -> notified.contains("ping"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "rsocket", "grpc"})
  void errorsAreStatusesAsForProxies(String transport) {
    greeter(transport, "a");
    GenericClient client = caller(transport).genericClient("greeter");
    StepVerifier.create(client.unary(Route.of(GREETER, "SayHello"), hello("missing")))
        .expectErrorSatisfies(
            e -> assertThat(VireoException.from(e).status()).isEqualTo(Status.NOT_FOUND))
        .verify(WAIT);
    StepVerifier.create(client.unary(Route.of(GREETER, "NoSuchMethod"), hello("x")))
        .expectErrorSatisfies(
            e -> assertThat(VireoException.from(e).status()).isEqualTo(Status.UNIMPLEMENTED))
        .verify(WAIT);
    StepVerifier.create(
            client
                .unary(Route.of(GREETER, "SayHello"), hello("slow"))
                .contextWrite(CallOptions.timeout(Duration.ofMillis(300))))
        .expectErrorSatisfies(
            e -> assertThat(VireoException.from(e).status()).isEqualTo(Status.DEADLINE_EXCEEDED))
        .verify(WAIT);
    StepVerifier.create(
            caller(transport)
                .genericClient("nobody")
                .unary(Route.of(GREETER, "SayHello"), hello("x")))
        .expectErrorSatisfies(
            e -> assertThat(VireoException.from(e).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(WAIT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "rsocket", "grpc"})
  void pinsOneInstanceAndFiltersPerCall(String transport) {
    Service a = greeter(transport, "a");
    Service b = greeter(transport, "b");
    GenericClient client = caller(transport).genericClient("greeter");
    Route sayHello = Route.of(GREETER, "SayHello");
    for (Service target : List.of(a, b, a, b)) {
      String id = target.instance().orElseThrow().id();
      StepVerifier.create(
              client
                  .unary(sayHello, hello("tag"))
                  .map(GenericClientTest::message)
                  .contextWrite(CallOptions.instance(id)))
          .expectNext(target.instance().orElseThrow().metadata().get("tag"))
          .expectComplete()
          .verify(WAIT);
    }
    StepVerifier.create(
            client.unary(sayHello, hello("tag")).contextWrite(CallOptions.instance("greeter-gone")))
        .expectErrorSatisfies(
            e ->
                assertThat(VireoException.from(e))
                    .satisfies(v -> assertThat(v.status()).isEqualTo(Status.UNAVAILABLE))
                    .hasMessageContaining("greeter-gone")
                    .hasMessageContaining(a.instance().orElseThrow().id())
                    .hasMessageContaining(b.instance().orElseThrow().id()))
        .verify(WAIT);

    Filter onlyB = Filter.metadata("tag", "b");
    List<String> tags =
        Flux.range(0, 6)
            .concatMap(
                i ->
                    client
                        .unary(sayHello, hello("tag"))
                        .map(GenericClientTest::message)
                        .contextWrite(CallOptions.filter(onlyB)))
            .collectList()
            .block(WAIT);
    assertThat(tags).containsOnly("b").hasSize(6);
    // and without the filter both answer (round-robin)
    List<String> both =
        Flux.range(0, 6)
            .concatMap(i -> client.unary(sayHello, hello("tag")).map(GenericClientTest::message))
            .collectList()
            .block(WAIT);
    assertThat(both).contains("a", "b");
    // the same option works on a typed proxy
    Greeter typed = started.get(started.size() - 1).client("greeter", Greeter.class);
    StepVerifier.create(
            typed
                .sayHello(request("tag"))
                .map(HelloReply::getMessage)
                .contextWrite(CallOptions.filter(Filter.metadata("tag", "a"))))
        .expectNext("a")
        .expectComplete()
        .verify(WAIT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "rsocket", "grpc"})
  void learnsTheSchemaThroughReflectionAndCallsWithADynamicMessage(String transport)
      throws Exception {
    greeter(transport, "a");
    Service caller = caller(transport);
    GenericClient client = caller.genericClient("greeter");

    ServiceSchema schema = ServiceSchema.fetch(client).block(WAIT);
    assertThat(schema.services())
        .extracting(Descriptors.ServiceDescriptor::getFullName)
        .containsExactly(GREETER);
    Descriptors.MethodDescriptor sayHello = schema.method("SayHello").orElseThrow();
    assertThat(schema.method(GREETER, "BidiHello").map(ServiceSchema::kind))
        .contains(CallKind.BIDI_STREAM);
    assertThat(schema.method(GREETER + "/LotsOfReplies").map(ServiceSchema::kind))
        .contains(CallKind.SERVER_STREAM);
    assertThat(ServiceSchema.kind(schema.method("LotsOfGreetings").orElseThrow()))
        .isEqualTo(CallKind.CLIENT_STREAM);
    assertThat(ServiceSchema.kind(sayHello)).isEqualTo(CallKind.UNARY);
    assertThat(schema.method("Nope")).isEmpty();
    assertThat(schema.message("vireo.samples.greeter.HelloReply")).isPresent();

    DynamicMessage.Builder request = DynamicMessage.newBuilder(sayHello.getInputType());
    JsonFormat.parser()
        .usingTypeRegistry(schema.typeRegistry())
        .merge("{\"name\":\"Dyn\"}", request);
    byte[] reply =
        client.unary(ServiceSchema.route(sayHello), request.build().toByteArray()).block(WAIT);
    String json =
        JsonFormat.printer()
            .usingTypeRegistry(schema.typeRegistry())
            .omittingInsignificantWhitespace()
            .print(DynamicMessage.parseFrom(sayHello.getOutputType(), reply));
    assertThat(json).isEqualTo("{\"message\":\"Hello, Dyn\"}");

    // the same schema through the cache, then learned again when the instances change
    try (SchemaCache cache = SchemaCache.of(caller)) {
      assertThat(cache.schema("greeter").block(WAIT).services()).hasSize(1);
      StepVerifier.create(cache.schema("nobody"))
          .expectErrorSatisfies(
              e -> assertThat(VireoException.from(e).status()).isEqualTo(Status.UNAVAILABLE))
          .verify(WAIT);
      greeter(transport, "b");
      assertThat(cache.schema("greeter").block(WAIT).method("SayHello")).isPresent();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "rsocket", "grpc"})
  void genericCallsAreRetriedOnUnavailableOnlyWhenDeclaredIdempotent(String transport) {
    greeter(transport, "a"); // answers "flaky" with UNAVAILABLE
    greeter(transport, "b");
    GenericClient client = caller(transport).genericClient("greeter");
    Route sayHello = Route.of(GREETER, "SayHello");
    List<String> once =
        Flux.range(0, 2)
            .concatMap(
                i ->
                    client
                        .unary(sayHello, hello("flaky"))
                        .map(GenericClientTest::message)
                        .onErrorResume(e -> Mono.just(VireoException.from(e).status().name())))
            .collectList()
            .block(WAIT);
    assertThat(once).containsExactlyInAnyOrder("UNAVAILABLE", "b"); // round-robin: one call each
    // (outlier ejection may leave a out after its failures; either way, no call fails)
    List<String> retried =
        Flux.range(0, 6)
            .concatMap(
                i ->
                    client
                        .unary(sayHello, hello("flaky"))
                        .map(GenericClientTest::message)
                        .contextWrite(CallOptions.idempotent(true)))
            .collectList()
            .block(WAIT);
    assertThat(retried).containsOnly("b").hasSize(6);
  }
}
