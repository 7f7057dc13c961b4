package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vireo.Blocking;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.observability.Metrics;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Where handlers run over a real transport: the event loop by default, a blocking-safe scheduler on
 * request.
 */
class HandlerThreadingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int CALLS = 4;

  record Ask(String what) {}

  record Answer(String text) {}

  @RpcService("vireo.test.Slow")
  public interface Slow {
    /**
     * Blocks until all {@value #CALLS} calls have arrived (each would block its thread for 2 s and
     * more).
     */
    @Blocking
    Mono<Answer> together(Ask ask);

    @Blocking
    Mono<Answer> blocks(Ask ask);

    Mono<Answer> sleepsOnTheEventLoop(Ask ask);

    Mono<Answer> configuredBlocking(Ask ask);
  }

  @RpcService("vireo.test.Slow")
  public interface SlowPlus extends Slow {
    Mono<Answer> notServed(Ask ask);
  }

  static final class SlowImpl implements Slow {
    final CountDownLatch arrived = new CountDownLatch(CALLS);

    @Override
    public Mono<Answer> together(Ask ask) {
      arrived.countDown();
      try {
        boolean all = arrived.await(30, TimeUnit.SECONDS);
        Thread.sleep(2000);
        return Mono.just(new Answer(all ? "together" : "alone"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Mono.error(e);
      }
    }

    @Override
    public Mono<Answer> blocks(Ask ask) {
      String value =
          Mono.just(ask.what()).delayElement(Duration.ofMillis(10)).block(Duration.ofSeconds(10));
      return Mono.just(new Answer("blocked for " + value));
    }

    @Override
    public Mono<Answer> sleepsOnTheEventLoop(Ask ask) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Mono.just(new Answer("slept"));
    }

    @Override
    public Mono<Answer> configuredBlocking(Ask ask) {
      String value =
          Mono.just(ask.what()).delayElement(Duration.ofMillis(10)).block(Duration.ofSeconds(10));
      return Mono.just(new Answer("configured " + value));
    }
  }

  private final MemoryRegistry registry = MemoryRegistry.newStore();
  private Service server;
  private Service caller;

  private Service.Builder service(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .set("vireo.transport", "rsocket")
        .set("vireo.codec", "json")
        .set("vireo.client.timeout", "60s")
        .set("vireo.server.shutdown-timeout", "2s");
  }

  private void start(Service.Builder serverBuilder) {
    server = serverBuilder.handle(Slow.class, new SlowImpl()).build().start();
    caller = service("caller").build().start();
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
  void blockingHandlersCalledAtOnceRunAtOnce() {
    start(service("slow"));
    Slow slow = caller.client("slow", Slow.class);
    // one connection, so one event-loop thread: on it the first call would wait for the others
    // forever
    StepVerifier.create(
            Flux.range(0, CALLS)
                .flatMap(i -> slow.together(new Ask("call " + i)))
                .map(Answer::text))
        .expectNext("together", "together", "together", "together")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void blockInsideABlockingHandlerWorks() {
    start(service("slow"));
    StepVerifier.create(caller.client("slow", Slow.class).blocks(new Ask("x")))
        .expectNext(new Answer("blocked for x"))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void endpointMadeBlockingByConfiguration() {
    start(service("slow").set("vireo.server.endpoints.ConfiguredBlocking.blocking", "true"));
    StepVerifier.create(caller.client("slow", Slow.class).configuredBlocking(new Ask("y")))
        .expectNext(new Answer("configured y"))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void handlerHoldingTheEventLoopIsWarnedAboutOnceByName() {
    // the router's log category (a name: the class behind it is internal)
    Logger logger = (Logger) LoggerFactory.getLogger("io.vireo.internal.runtime.Router");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      // the handler sleeps 200 ms: well over a 20 ms threshold
      start(service("slow").set("vireo.server.blocking-warn-threshold", "20ms"));
      Slow slow = caller.client("slow", Slow.class);
      for (int i = 0; i < 3; i++) {
        StepVerifier.create(slow.sleepsOnTheEventLoop(new Ask("z")))
            .expectNext(new Answer("slept"))
            .expectComplete()
            .verify(TIMEOUT);
      }
      List<String> warnings =
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(message -> message.contains("held the event-loop thread"))
              .toList();
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0))
          .contains("vireo.test.Slow.SleepsOnTheEventLoop")
          .contains("@io.vireo.Blocking");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void unknownMethodIsCountedInServerMetrics() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    start(service("slow").wrap(Metrics.of(meters)));
    StepVerifier.create(caller.client("slow", SlowPlus.class).notServed(new Ask("x")))
        .expectErrorSatisfies(
            e -> assertThat(((VireoException) e).status()).isEqualTo(Status.UNIMPLEMENTED))
        .verify(TIMEOUT);
    Timer unknown =
        meters
            .find("vireo.server.calls")
            .tag("endpoint", "unknown")
            .tag("status", "UNIMPLEMENTED")
            .timer();
    assertThat(unknown).isNotNull();
    assertThat(unknown.count()).isEqualTo(1);
  }
}
