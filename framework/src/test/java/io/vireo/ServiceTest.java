package io.vireo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import io.vireo.transport.memory.MemoryTransport;
import io.vireo.wrapper.Wrapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ServiceTest {
  record Hello(String name) {}

  record Reply(String message) {}

  @RpcService("vireo.test.Greeter")
  public interface Greeter {
    Mono<Reply> sayHello(Hello request);

    Flux<Reply> lotsOfReplies(Hello request);

    Mono<Reply> lotsOfGreetings(Flux<Hello> requests);

    Flux<Reply> bidiHello(Flux<Hello> requests);

    Mono<Void> notify(Hello request);

    @Idempotent
    Mono<Reply> whoAmI(Hello request);
  }

  @RpcService("vireo.test.Greeter")
  public interface GreeterWithExtra extends Greeter {
    Mono<Reply> notServed(Hello request);
  }

  static final class GreeterImpl implements Greeter {
    final List<String> notified = new CopyOnWriteArrayList<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    final Sinks.Empty<Void> release = Sinks.empty();

    @Override
    public Mono<Reply> sayHello(Hello request) {
      switch (request.name()) {
        case "boom":
          throw new IllegalStateException("boom from the handler");
        case "missing":
          return Mono.error(VireoException.of(Status.NOT_FOUND, "no such person: missing"));
        case "slow":
          return Mono.<Reply>never().doOnCancel(() -> cancelled.set(true));
        case "held":
          return release.asMono().then(Mono.just(new Reply("released")));
        default:
          return Mono.just(new Reply("Hello, " + request.name()));
      }
    }

    @Override
    public Flux<Reply> lotsOfReplies(Hello request) {
      return Flux.range(1, 3).map(i -> new Reply("Hello " + i + ", " + request.name()));
    }

    @Override
    public Mono<Reply> lotsOfGreetings(Flux<Hello> requests) {
      return requests
          .map(Hello::name)
          .collectList()
          .map(names -> new Reply("Hello, " + String.join(" and ", names)));
    }

    @Override
    public Flux<Reply> bidiHello(Flux<Hello> requests) {
      return requests.map(h -> new Reply("Hi, " + h.name()));
    }

    @Override
    public Mono<Void> notify(Hello request) {
      return Mono.fromRunnable(() -> notified.add(request.name()));
    }

    @Override
    public Mono<Reply> whoAmI(Hello request) {
      return Call.current()
          .map(
              call ->
                  new Reply(
                      call.headers().get("x-tenant").orElse("none")
                          + "/"
                          + call.headers().get(Headers.CALLER).orElse("?")));
    }
  }

  MemoryRegistry registry;
  MemoryBroker broker;
  GreeterImpl impl;
  Service server;
  Service caller;

  @BeforeEach
  void start() {
    registry = MemoryRegistry.newStore();
    broker = MemoryBroker.newStore(1000);
    impl = new GreeterImpl();
    server = embedded("greeter").handle(Greeter.class, impl).build().start();
    caller = embedded("caller").build().start();
  }

  Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .broker(broker.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json")
        .set("vireo.server.shutdown-timeout", "2s");
  }

  @AfterEach
  void stop() {
    caller.stop();
    server.stop();
  }

  @Test
  void servesAllFourCallKinds() {
    Greeter greeter = caller.client("greeter", Greeter.class);
    StepVerifier.create(greeter.sayHello(new Hello("Ada")))
        .expectNext(new Reply("Hello, Ada"))
        .verifyComplete();
    StepVerifier.create(greeter.lotsOfReplies(new Hello("Ada")))
        .expectNext(new Reply("Hello 1, Ada"), new Reply("Hello 2, Ada"), new Reply("Hello 3, Ada"))
        .verifyComplete();
    StepVerifier.create(greeter.lotsOfGreetings(Flux.just(new Hello("a"), new Hello("b"))))
        .expectNext(new Reply("Hello, a and b"))
        .verifyComplete();
    StepVerifier.create(greeter.bidiHello(Flux.just(new Hello("x"), new Hello("y"))))
        .expectNext(new Reply("Hi, x"), new Reply("Hi, y"))
        .verifyComplete();
    StepVerifier.create(greeter.notify(new Hello("fnf"))).verifyComplete();
    await().atMost(Duration.ofSeconds(5)).until(() -> impl.notified.contains("fnf"));
  }

  @Test
  void handlerSeesHeadersAndCallerInContext() {
    Greeter greeter = caller.client("greeter", Greeter.class);
    StepVerifier.create(
            greeter.whoAmI(new Hello("x")).contextWrite(CallOptions.header("x-tenant", "acme")))
        .expectNext(new Reply("acme/caller"))
        .verifyComplete();
  }

  @Test
  void errorsKeepTheirStatusAndTheServiceKeepsServing() {
    Greeter greeter = caller.client("greeter", Greeter.class);
    StepVerifier.create(greeter.sayHello(new Hello("boom")))
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(VireoException.class);
              // an IllegalStateException is FAILED_PRECONDITION; its text stays in the server's log
              assertThat(((VireoException) e).status()).isEqualTo(Status.FAILED_PRECONDITION);
              assertThat(e.getMessage())
                  .doesNotContain("boom from the handler")
                  .contains("vireo.server.error-details");
            })
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(greeter.sayHello(new Hello("missing")))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.NOT_FOUND))
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(greeter.sayHello(new Hello("again")))
        .expectNext(new Reply("Hello, again"))
        .verifyComplete();
  }

  @Test
  void unknownRouteIsUnimplemented() {
    GreeterWithExtra greeter = caller.client("greeter", GreeterWithExtra.class);
    StepVerifier.create(greeter.notServed(new Hello("x")))
        .expectErrorSatisfies(
            e -> {
              assertThat(((VireoException) e).status()).isEqualTo(Status.UNIMPLEMENTED);
              assertThat(e.getMessage()).contains("vireo.test.Greeter.NotServed");
            })
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void noInstanceIsUnavailableNamingTheService() {
    Greeter nobody = caller.client("nobody", Greeter.class);
    StepVerifier.create(nobody.sayHello(new Hello("x")))
        .expectErrorSatisfies(
            e -> {
              assertThat(((VireoException) e).status()).isEqualTo(Status.UNAVAILABLE);
              assertThat(e.getMessage()).contains("'nobody'");
            })
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void deadlinePassesOnTheWireAndCancelsTheHandler() {
    Greeter greeter = caller.client("greeter", Greeter.class);
    StepVerifier.create(
            greeter
                .sayHello(new Hello("slow"))
                .contextWrite(CallOptions.timeout(Duration.ofMillis(200))))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.DEADLINE_EXCEEDED))
        .verify(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).untilTrue(impl.cancelled);
  }

  @Test
  void idempotentCallsRetryOnAnotherInstance() {
    // a registered instance that is gone: connecting to it fails, the retry picks the live one
    registry
        .register(
            new ServiceInstance(
                "greeter", "ghost", "127.0.0.1", 65000, "memory", "", 100, Map.of(), List.of()))
        .block();
    Greeter greeter = caller.client("greeter", Greeter.class);
    for (int i = 0; i < 10; i++) {
      StepVerifier.create(greeter.sayHello(new Hello("r" + i)))
          .expectNext(new Reply("Hello, r" + i))
          .verifyComplete();
    }
  }

  @Test
  void stopDrainsCallsInFlightAndDeregisters() {
    Greeter greeter = caller.client("greeter", Greeter.class);
    List<Reply> replies = new CopyOnWriteArrayList<>();
    greeter.sayHello(new Hello("held")).subscribe(replies::add);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.instance().isPresent());
    Thread stopper = new Thread(server::stop);
    stopper.start();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> registry.instances("greeter").block().isEmpty());
    assertThat(replies).isEmpty();
    impl.release.tryEmitEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> !stopper.isAlive());
    assertThat(replies).containsExactly(new Reply("released"));
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void eventsReachEveryGroupOnceAndMembersShareTheWork() {
    List<String> audit = new CopyOnWriteArrayList<>();
    List<String> mailA = new CopyOnWriteArrayList<>();
    List<String> mailB = new CopyOnWriteArrayList<>();
    Service auditor =
        embedded("auditor")
            .subscribe(
                "user.created", Hello.class, e -> Mono.fromRunnable(() -> audit.add(e.name())))
            .build()
            .start();
    Service mailer1 =
        embedded("mailer")
            .subscribe(
                "user.created", Hello.class, e -> Mono.fromRunnable(() -> mailA.add(e.name())))
            .build()
            .start();
    Service mailer2 =
        embedded("mailer")
            .subscribe(
                "user.created", Hello.class, e -> Mono.fromRunnable(() -> mailB.add(e.name())))
            .build()
            .start();
    try {
      for (int i = 0; i < 20; i++) {
        caller.publish("user.created", new Hello("u" + i)).block(Duration.ofSeconds(5));
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> audit.size() == 20 && mailA.size() + mailB.size() == 20);
      assertThat(mailA).isNotEmpty();
      assertThat(mailB).isNotEmpty();
    } finally {
      auditor.stop();
      mailer1.stop();
      mailer2.stop();
    }
  }

  @Test
  void failingEventIsRetriedThenDeadLettered() {
    AtomicInteger attempts = new AtomicInteger();
    List<String> dead = new CopyOnWriteArrayList<>();
    SubscribeOptions fast =
        SubscribeOptions.builder().maxRetries(2).retryBackoff(Duration.ofMillis(10)).build();
    Service dlt =
        embedded("dlt")
            .subscribe("orders.DLT", Hello.class, e -> Mono.fromRunnable(() -> dead.add(e.name())))
            .build()
            .start();
    Service failing =
        embedded("failing")
            .subscribe(
                "orders",
                Hello.class,
                fast,
                e -> {
                  attempts.incrementAndGet();
                  return Mono.error(new IllegalStateException("cannot handle " + e.name()));
                })
            .build()
            .start();
    try {
      caller.publish("orders", new Hello("o1")).block(Duration.ofSeconds(5));
      await().atMost(Duration.ofSeconds(5)).until(() -> dead.contains("o1"));
      assertThat(attempts.get()).isEqualTo(3);
    } finally {
      dlt.stop();
      failing.stop();
    }
  }

  @Test
  void unknownPluginNameFailsWithTheAvailableNames() {
    Service bad =
        embedded("bad")
            .set("vireo.selector", "x")
            .set("vireo.registry", "etcd")
            .registry(registry)
            .build();
    Service.Builder builder =
        Service.builder("bad2").set("vireo.registry", "etcd").set("vireo.transport", "memory");
    assertThatThrownBy(() -> builder.build().start())
        .hasMessageContaining("unknown registry 'etcd'")
        .hasMessageContaining("memory");
    bad.stop();
  }

  @Test
  void wrappersRunOnEveryPathInOrder() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Wrapper tenant =
        Wrapper.client(
            next ->
                (call, requests) -> {
                  seen.add("client");
                  return next.apply(call.withHeader("x-tenant", "wrapped"), requests);
                });
    Wrapper audit =
        Wrapper.server(
            next ->
                (call, requests) -> {
                  seen.add("server " + call.route().method());
                  return next.apply(call, requests);
                });
    Service wrappedServer =
        embedded("wrapped")
            .set("vireo.wrappers", "logging")
            .wrap(audit)
            .handle(Greeter.class, new GreeterImpl())
            .build()
            .start();
    Service wrappedCaller = embedded("wrapped-caller").wrap(tenant).build().start();
    try {
      Greeter greeter = wrappedCaller.client("wrapped", Greeter.class);
      StepVerifier.create(greeter.whoAmI(new Hello("x")))
          .expectNext(new Reply("wrapped/wrapped-caller"))
          .verifyComplete();
      StepVerifier.create(greeter.sayHello(new Hello("missing")))
          .expectError(VireoException.class)
          .verify(Duration.ofSeconds(5));
      assertThat(seen).containsExactly("client", "server WhoAmI", "client", "server SayHello");
    } finally {
      wrappedCaller.stop();
      wrappedServer.stop();
    }
  }

  @Test
  void unknownWrapperNameFailsAtStart() {
    assertThatThrownBy(() -> embedded("w").set("vireo.wrappers", "nope").build().start())
        .hasMessageContaining("unknown wrappers 'nope'")
        .hasMessageContaining("logging");
  }

  @Test
  void undecodablePayloadIsInvalidArgumentAndOversizedIsResourceExhausted() {
    ServiceInstance instance = server.instance().orElseThrow();
    Connection raw =
        new MemoryTransport(64 * 1024 * 1024).connect(instance).block(Duration.ofSeconds(5));
    Route sayHello = Route.of("vireo.test.Greeter", "SayHello");
    byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
    StepVerifier.create(
            raw.requestResponse(new Frame(sayHello, "application/json", Headers.empty(), garbage)))
        .expectErrorSatisfies(
            e -> {
              assertThat(((VireoException) e).status()).isEqualTo(Status.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("Hello");
            })
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(
            raw.requestResponse(new Frame(sayHello, "text/plain", Headers.empty(), garbage)))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.INVALID_ARGUMENT))
        .verify(Duration.ofSeconds(5));
    Greeter greeter = caller.client("greeter", Greeter.class);
    StepVerifier.create(greeter.sayHello(new Hello("x".repeat(5 * 1024 * 1024))))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.RESOURCE_EXHAUSTED))
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(greeter.sayHello(new Hello("after")))
        .expectNext(new Reply("Hello, after"))
        .verifyComplete();
    raw.dispose();
  }

  @Test
  void failingHealthCheckDeregistersUntilItPassesAgain() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    Service checked =
        embedded("checked")
            .set("vireo.registry.health-interval", "50ms")
            .healthCheck(() -> Mono.just(healthy.get()))
            .handle(Greeter.class, new GreeterImpl())
            .build()
            .start();
    try {
      assertThat(registry.instances("checked").block()).hasSize(1);
      healthy.set(false);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> registry.instances("checked").block().isEmpty());
      healthy.set(true);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> registry.instances("checked").block().size() == 1);
    } finally {
      checked.stop();
    }
    assertThat(registry.instances("checked").block()).isEmpty();
  }

  @Test
  void streamDeadlineEndsTheWholeStream() {
    Greeter greeter = caller.client("greeter", Greeter.class);
    AtomicBoolean requestsCancelled = new AtomicBoolean();
    Flux<Hello> endless = Flux.<Hello>never().doOnCancel(() -> requestsCancelled.set(true));
    StepVerifier.create(
            greeter
                .bidiHello(Flux.just(new Hello("a")).concatWith(endless))
                .contextWrite(CallOptions.timeout(Duration.ofMillis(300))))
        .expectNext(new Reply("Hi, a"))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.DEADLINE_EXCEEDED))
        .verify(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).untilTrue(requestsCancelled);
  }
}
