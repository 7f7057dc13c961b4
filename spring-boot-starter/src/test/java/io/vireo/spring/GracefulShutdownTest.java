package io.vireo.spring;

import static io.vireo.spring.Echo.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import io.vireo.Service;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Closing the context lets a call in flight finish, within Spring's shutdown phase timeout. */
class GracefulShutdownTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void finishesCallsInFlightWhenTheContextCloses() throws Exception {
    Held held = new Held();
    Service caller = Service.builder("graceful-caller").build().start();
    try {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(VireoAutoConfiguration.class))
          .withBean(Held.class, () -> held)
          .withUserConfiguration(HeldConfig.class)
          .withPropertyValues(
              "vireo.service.name=graceful", "spring.lifecycle.timeout-per-shutdown-phase=15s")
          .run(
              context -> {
                Service service = context.getBean(Service.class);
                CompletableFuture<StringValue> reply =
                    caller.client("graceful", Echo.class).echo(text("Ada")).toFuture();
                assertThat(held.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the call reached the handler")
                    .isTrue();
                CompletableFuture<Void> closed =
                    CompletableFuture.runAsync(((ConfigurableApplicationContext) context)::close);
                await().atMost(WAIT).until(() -> !service.isRunning());
                assertThat(closed).as("the context waits for the call in flight").isNotDone();
                held.release.tryEmitValue(StringValue.of("held: Ada"));
                assertThat(reply.get(WAIT.toSeconds(), TimeUnit.SECONDS).getValue())
                    .isEqualTo("held: Ada");
                closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
              });
    } finally {
      caller.stop();
    }
  }

  /** Answers a call only when the test releases it. */
  static class Held implements Echo {
    final CountDownLatch entered = new CountDownLatch(1);
    final Sinks.One<StringValue> release = Sinks.one();

    @Override
    public Mono<StringValue> echo(StringValue request) {
      return Mono.defer(
          () -> {
            entered.countDown();
            return release.asMono();
          });
    }

    @Override
    public Flux<StringValue> repeat(StringValue request) {
      return Flux.empty();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class HeldConfig {
    @Bean
    VireoServiceCustomizer serveHeld(Held held) {
      return builder -> builder.handle(Echo.class, held);
    }
  }
}
