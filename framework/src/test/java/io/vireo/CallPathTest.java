package io.vireo;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vireo.codec.Codec;
import io.vireo.internal.codec.JsonCodec;
import io.vireo.internal.observability.MetricsWrapper;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.wrapper.Wrapper;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The client and server pipelines: retries, statuses of handler exceptions, what reaches the
 * caller.
 */
class CallPathTest {
  record Ask(String what) {}

  record Answer(String text) {}

  @RpcService("vireo.test.Flaky")
  public interface Flaky {
    @Idempotent
    Mono<Answer> read(Ask ask);

    Mono<Answer> write(Ask ask);
  }

  @RpcService("vireo.test.Flaky")
  public interface Unserved {
    Mono<Answer> erase(Ask ask);
  }

  static final class FlakyImpl implements Flaky {
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public Mono<Answer> read(Ask ask) {
      reads.incrementAndGet();
      return Mono.error(VireoException.of(Status.UNAVAILABLE, "backend %s is down", ask.what()));
    }

    @Override
    public Mono<Answer> write(Ask ask) {
      switch (ask.what()) {
        case "argument":
          throw new IllegalArgumentException("secret internal detail: argument");
        case "state":
          return Mono.error(new IllegalStateException("secret internal detail: state"));
        case "unsupported":
          throw new UnsupportedOperationException("secret internal detail: unsupported");
        case "timeout":
          return Mono.error(new TimeoutException("secret internal detail: timeout"));
        case "npe":
          return Mono.fromCallable(
              () -> {
                throw new NullPointerException("secret internal detail: npe");
              });
        case "chosen":
          return Mono.error(VireoException.of(Status.ALREADY_EXISTS, "order 7 exists"));
        default:
          return Mono.just(new Answer("ok " + ask.what()));
      }
    }
  }

  /** JSON, counting what it encodes. */
  static final class CountingCodec implements Codec {
    final JsonCodec json = new JsonCodec();
    final AtomicInteger asks = new AtomicInteger();

    @Override
    public String name() {
      return json.name();
    }

    @Override
    public String contentType() {
      return json.contentType();
    }

    @Override
    public boolean supports(Class<?> type) {
      return json.supports(type);
    }

    @Override
    public byte[] encode(Object value) {
      if (value instanceof Ask) {
        asks.incrementAndGet();
      }
      return json.encode(value);
    }

    @Override
    public <T> T decode(byte[] data, Class<T> type) {
      return json.decode(data, type);
    }
  }

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final FlakyImpl impl = new FlakyImpl();
  Service server;
  Service caller;

  Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json")
        .set("vireo.server.shutdown-timeout", "1s");
  }

  void start(Service.Builder serverBuilder, Service.Builder callerBuilder) {
    server = serverBuilder.handle(Flaky.class, impl).build().start();
    caller = callerBuilder.build().start();
  }

  @AfterEach
  void stop() {
    if (caller != null) {
      caller.stop();
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void idempotentCallOutOfRetriesFailsWithTheLastAttemptsStatus() {
    start(embedded("flaky"), embedded("caller"));
    StepVerifier.create(caller.client("flaky", Flaky.class).read(new Ask("db")))
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(VireoException.class);
              assertThat(((VireoException) e).status()).isEqualTo(Status.UNAVAILABLE);
              assertThat(e.getMessage()).contains("backend db is down");
            })
        .verify(Duration.ofSeconds(10));
    assertThat(impl.reads).hasValue(3); // the call and vireo.client.retries=2
  }

  @Test
  void idempotentCallRetriedThroughClientWrappersIsEncodedOnce() {
    CountingCodec codec = new CountingCodec();
    AtomicInteger wrapped = new AtomicInteger();
    Wrapper counting =
        Wrapper.client(
            next ->
                (call, requests) -> {
                  wrapped.incrementAndGet();
                  return next.apply(call, requests);
                });
    start(embedded("flaky"), embedded("caller").codec(codec).wrap(counting));
    StepVerifier.create(caller.client("flaky", Flaky.class).read(new Ask("db")))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(Duration.ofSeconds(10));
    assertThat(impl.reads).hasValue(3);
    assertThat(wrapped).hasValue(1);
    assertThat(codec.asks).hasValue(1);
  }

  @Test
  void handlerExceptionsGetTheStatusOfTheirTypeAndKeepTheirTextOnTheServer() {
    start(embedded("flaky"), embedded("caller"));
    Flaky flaky = caller.client("flaky", Flaky.class);
    assertFails(flaky, "argument", Status.INVALID_ARGUMENT);
    assertFails(flaky, "state", Status.FAILED_PRECONDITION);
    assertFails(flaky, "unsupported", Status.UNIMPLEMENTED);
    assertFails(flaky, "timeout", Status.DEADLINE_EXCEEDED);
    assertFails(flaky, "npe", Status.INTERNAL);
    StepVerifier.create(flaky.write(new Ask("fine")))
        .expectNext(new Answer("ok fine"))
        .verifyComplete();
  }

  @Test
  void handlerAnswersWithAChosenStatusAndMessage() {
    start(embedded("flaky"), embedded("caller"));
    StepVerifier.create(caller.client("flaky", Flaky.class).write(new Ask("chosen")))
        .expectErrorSatisfies(
            e -> {
              assertThat(((VireoException) e).status()).isEqualTo(Status.ALREADY_EXISTS);
              assertThat(e.getMessage()).isEqualTo("order 7 exists");
            })
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void errorDetailsKeySendsTheExceptionText() {
    start(embedded("flaky").set("vireo.server.error-details", "true"), embedded("caller"));
    StepVerifier.create(caller.client("flaky", Flaky.class).write(new Ask("argument")))
        .expectErrorSatisfies(
            e -> {
              assertThat(((VireoException) e).status()).isEqualTo(Status.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("secret internal detail: argument");
            })
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void traceIdOfTheCallIsInTheAnswer() {
    start(embedded("flaky"), embedded("caller"));
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    StepVerifier.create(
            caller
                .client("flaky", Flaky.class)
                .write(new Ask("npe"))
                .contextWrite(
                    CallOptions.header(
                        Headers.TRACEPARENT, "00-" + traceId + "-00f067aa0ba902b7-01")))
        .expectErrorSatisfies(
            e -> assertThat(e.getMessage()).contains(traceId).doesNotContain("secret"))
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void unknownMethodIsCountedInServerMetricsUnderOneBoundedName() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    start(embedded("flaky").wrap(new MetricsWrapper(meters)), embedded("caller"));
    for (int i = 0; i < 2; i++) {
      StepVerifier.create(caller.client("flaky", Unserved.class).erase(new Ask("x")))
          .expectErrorSatisfies(
              e -> {
                assertThat(((VireoException) e).status()).isEqualTo(Status.UNIMPLEMENTED);
                assertThat(e.getMessage())
                    .contains("vireo.test.Flaky.Erase")
                    .contains("vireo.test.Flaky.Read");
              })
          .verify(Duration.ofSeconds(5));
    }
    Timer unknown =
        meters
            .find("vireo.server.calls")
            .tag("endpoint", "unknown")
            .tag("status", "UNIMPLEMENTED")
            .timer();
    assertThat(unknown).isNotNull();
    assertThat(unknown.count()).isEqualTo(2);
    assertThat(meters.find("vireo.server.calls").tag("endpoint", "vireo.test.Flaky.Erase").timer())
        .isNull();
  }

  private static void assertFails(Flaky flaky, String what, Status status) {
    StepVerifier.create(flaky.write(new Ask(what)))
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(VireoException.class);
              assertThat(((VireoException) e).status()).as(what).isEqualTo(status);
              assertThat(e.getMessage()).as(what).doesNotContain("secret internal detail");
            })
        .verify(Duration.ofSeconds(5));
  }
}
