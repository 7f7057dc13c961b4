package io.vireo.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.CallOptions;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.selector.Cluster;
import io.vireo.selector.Cluster.Backend;
import io.vireo.selector.Cluster.Echo;
import io.vireo.selector.Cluster.Hello;
import io.vireo.selector.Cluster.Reply;
import io.vireo.wrapper.Wrapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ResilienceTest {
  final Cluster cluster = new Cluster();

  @AfterEach
  void stop() {
    cluster.close();
  }

  /**
   * A caller of "echo" with the runtime's own retries and outlier ejection off, to see the wrappers
   * alone.
   */
  Echo caller(UnaryOperator<Service.Builder> settings) {
    return cluster.caller(
        b ->
            settings.apply(
                b.set("vireo.client.retries", "0").set("vireo.client.outlier.enabled", "false")));
  }

  static Status status(Mono<?> call) {
    try {
      call.block(Duration.ofSeconds(10));
      return Status.OK;
    } catch (VireoException e) {
      return e.status();
    }
  }

  static void failsWith(Mono<?> call, Status status, String message) {
    StepVerifier.create(call)
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(VireoException.class);
              assertThat(((VireoException) e).status()).isEqualTo(status);
              assertThat(e.getMessage()).contains(message);
            })
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void breakerOpensAndHalfOpensAsConfigured() {
    Backend backend = cluster.backend("a");
    backend.failWith.set(Status.INTERNAL);
    CircuitBreakerWrapper breaker =
        Resilience.circuitBreaker(
            CircuitBreakerPolicy.defaults()
                .slidingWindowSize(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMillis(300))
                .permittedCallsInHalfOpenState(2));
    Echo echo = caller(b -> b.wrap(breaker));
    for (int i = 0; i < 4; i++) {
      assertThat(status(echo.once(new Hello("x")))).isEqualTo(Status.INTERNAL);
    }
    assertThat(breaker.state("echo")).contains(BreakerState.OPEN);
    failsWith(echo.once(new Hello("x")), Status.UNAVAILABLE, "circuit breaker for echo is open");
    assertThat(backend.calls).as("an open breaker keeps calls off the service").hasValue(4);

    backend.failWith.set(Status.OK);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status(echo.once(new Hello("trial"))) == Status.OK);
    assertThat(breaker.state("echo")).as("one good trial of two").contains(BreakerState.HALF_OPEN);
    assertThat(status(echo.once(new Hello("trial")))).isEqualTo(Status.OK);
    assertThat(breaker.state("echo")).contains(BreakerState.CLOSED);
  }

  @Test
  void configuredBreakerFailsFastNamingTheService() {
    Backend backend = cluster.backend("a");
    backend.failWith.set(Status.UNAVAILABLE);
    Echo echo =
        caller(
            b ->
                b.set("vireo.client.services.echo.circuit-breaker.sliding-window-size", "4")
                    .set(
                        "vireo.client.services.echo.circuit-breaker.wait-duration-in-open-state",
                        "1m"));
    for (int i = 0; i < 4; i++) {
      assertThat(status(echo.once(new Hello("x")))).isEqualTo(Status.UNAVAILABLE);
    }
    failsWith(echo.once(new Hello("x")), Status.UNAVAILABLE, "circuit breaker for echo is open");
    assertThat(backend.calls).hasValue(4);
  }

  @Test
  void answersThatBlameTheCallerDoNotOpenTheBreaker() {
    Backend backend = cluster.backend("a");
    backend.failWith.set(Status.INVALID_ARGUMENT);
    CircuitBreakerWrapper breaker =
        Resilience.circuitBreaker(CircuitBreakerPolicy.defaults().slidingWindowSize(4));
    Echo echo = caller(b -> b.wrap(breaker));
    for (int i = 0; i < 10; i++) {
      assertThat(status(echo.once(new Hello("x")))).isEqualTo(Status.INVALID_ARGUMENT);
    }
    assertThat(breaker.state("echo")).contains(BreakerState.CLOSED);
    assertThat(backend.calls).hasValue(10);
  }

  @Test
  void retryWithBackoffRepeatsIdempotentCallsOnly() {
    Backend backend = cluster.backend("a");
    Echo echo =
        caller(
            b ->
                b.set("vireo.client.services.echo.retry.max-attempts", "3")
                    .set("vireo.client.services.echo.retry.initial-backoff", "10ms"));
    backend.failNext.set(2);
    StepVerifier.create(echo.hello(new Hello("x"))).expectNext(new Reply("a")).verifyComplete();
    assertThat(backend.calls).hasValue(3);
    backend.failNext.set(1);
    failsWith(echo.once(new Hello("x")), Status.UNAVAILABLE, "not ready");
    assertThat(backend.calls).as("a call that is not idempotent is made once").hasValue(4);
  }

  @Test
  void retriesStopAtTheCallsDeadline() {
    Backend backend = cluster.backend("a");
    backend.failWith.set(Status.UNAVAILABLE);
    Echo echo =
        caller(
            b ->
                b.wrap(
                    Resilience.retry(
                        RetryPolicy.defaults()
                            .maxAttempts(1000)
                            .initialBackoff(Duration.ofMillis(20))
                            .multiplier(1)
                            .jitter(0.2))));
    failsWith(
        echo.hello(new Hello("x")).contextWrite(CallOptions.timeout(Duration.ofMillis(300))),
        Status.DEADLINE_EXCEEDED,
        "retries included");
    assertThat(backend.calls.get()).isBetween(2, 999);
  }

  @Test
  void bulkheadRefusesCallsPastItsLimit() {
    Backend backend = cluster.backend("a");
    Sinks.Empty<Void> release = Sinks.empty();
    backend.gate.set(release.asMono());
    Echo echo = caller(b -> b.set("vireo.client.services.echo.bulkhead.max-concurrent-calls", "2"));
    List<Reply> replies = new CopyOnWriteArrayList<>();
    echo.once(new Hello("1")).subscribe(replies::add);
    echo.once(new Hello("2")).subscribe(replies::add);
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.calls.get() == 2);
    failsWith(echo.once(new Hello("3")), Status.RESOURCE_EXHAUSTED, "bulkhead for echo is full");
    release.tryEmitEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> replies.size() == 2);
    StepVerifier.create(echo.once(new Hello("4"))).expectNext(new Reply("a")).verifyComplete();
  }

  @Test
  void timeLimiterEndsSlowCalls() {
    Backend backend = cluster.backend("a");
    backend.gate.set(Mono.never());
    Echo echo = caller(b -> b.set("vireo.client.services.echo.time-limiter.timeout", "200ms"));
    failsWith(echo.once(new Hello("x")), Status.DEADLINE_EXCEEDED, "time limit of 200 ms");
  }

  @Test
  void fallbackCacheServesTheLastGoodValueWhileTheServiceIsDown() {
    Backend backend = cluster.backend("a");
    Echo echo = caller(b -> b.set("vireo.client.services.echo.fallback.cache", "true"));
    StepVerifier.create(echo.hello(new Hello("x"))).expectNext(new Reply("a")).verifyComplete();
    backend.service.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.registered() == 0);
    for (int i = 0; i < 3; i++) {
      StepVerifier.create(echo.hello(new Hello("x"))).expectNext(new Reply("a")).verifyComplete();
    }
    failsWith(
        echo.hello(new Hello("never asked")), Status.UNAVAILABLE, "no instance of service 'echo'");
  }

  @Test
  void fallbackFunctionAnswersForAnUnavailableServiceOnly() {
    Backend backend = cluster.backend("a");
    backend.failWith.set(Status.NOT_FOUND);
    Wrapper fallback =
        Resilience.fallback(
            (call, error) -> Mono.just(new Reply("fallback for " + error.status())));
    Echo echo = caller(b -> b.wrap(fallback));
    failsWith(echo.once(new Hello("x")), Status.NOT_FOUND, "fails on purpose");
    backend.failWith.set(Status.UNAVAILABLE);
    StepVerifier.create(echo.once(new Hello("x")))
        .expectNext(new Reply("fallback for UNAVAILABLE"))
        .verifyComplete();
  }

  @Test
  void rateLimitedEndpointAnswersResourceExhaustedAndRecovers() {
    cluster.backend(
        "a",
        b ->
            b.set("vireo.server.endpoints.Hello.rate-limit.limit-for-period", "3")
                .set("vireo.server.endpoints.Hello.rate-limit.limit-refresh-period", "1s"));
    Echo echo = caller(b -> b);
    // the bucket starts with the first call: the next ones, made at once, are in its first period
    for (int i = 0; i < 3; i++) {
      assertThat(status(echo.hello(new Hello("x")))).isEqualTo(Status.OK);
    }
    failsWith(
        echo.hello(new Hello("x")),
        Status.RESOURCE_EXHAUSTED,
        "rate limit of vireo.test.Echo.Hello exceeded: 3 calls per 1000 ms");
    assertThat(status(echo.once(new Hello("x"))))
        .as("other endpoints are not limited")
        .isEqualTo(Status.OK);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> status(echo.hello(new Hello("x"))) == Status.OK);
  }

  @Test
  void rateLimitPerCallerGivesEachCallerItsOwnBucket() {
    cluster.backend(
        "a",
        b ->
            b.set("vireo.server.endpoints.Hello.rate-limit.limit-for-period", "2")
                .set("vireo.server.endpoints.Hello.rate-limit.limit-refresh-period", "1m")
                .set("vireo.server.endpoints.Hello.per-caller", "true"));
    Echo first = caller(b -> b);
    Echo second =
        cluster
            .embedded("second")
            .set("vireo.client.retries", "0")
            .build()
            .start()
            .client("echo", Echo.class);
    assertThat(status(first.hello(new Hello("x")))).isEqualTo(Status.OK);
    assertThat(status(first.hello(new Hello("x")))).isEqualTo(Status.OK);
    failsWith(first.hello(new Hello("x")), Status.RESOURCE_EXHAUSTED, "for caller caller");
    assertThat(status(second.hello(new Hello("x")))).isEqualTo(Status.OK);
    assertThat(status(second.hello(new Hello("x")))).isEqualTo(Status.OK);
    failsWith(second.hello(new Hello("x")), Status.RESOURCE_EXHAUSTED, "for caller second");
  }

  @Test
  void concurrencyLimitRefusesCallsPastIt() {
    Backend backend =
        cluster.backend("a", b -> b.set("vireo.server.endpoints.Hello.concurrency-limit", "1"));
    Sinks.Empty<Void> release = Sinks.empty();
    backend.gate.set(release.asMono());
    Echo echo = caller(b -> b);
    List<Reply> replies = new CopyOnWriteArrayList<>();
    echo.hello(new Hello("1")).subscribe(replies::add);
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.calls.get() == 1);
    failsWith(
        echo.hello(new Hello("2")),
        Status.RESOURCE_EXHAUSTED,
        "concurrency limit of vireo.test.Echo.Hello reached");
    release.tryEmitEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> replies.size() == 1);
    assertThat(status(echo.hello(new Hello("3")))).isEqualTo(Status.OK);
  }

  @Test
  void aNewRateLimitFromTheConfigSourceTakesEffectWithoutRestart() {
    LiveSource source =
        new LiveSource(
            Map.of(
                "vireo.server.endpoints.Hello.rate-limit.limit-for-period", "1",
                "vireo.server.endpoints.Hello.rate-limit.limit-refresh-period", "500ms"));
    Config config = Config.builder().standardSources(false).source(source).build();
    List<Wrapper> limits = Resilience.fromConfig(config);
    assertThat(limits).hasSize(1);
    cluster.backend("a", b -> b.wrap(limits.toArray(Wrapper[]::new)));
    Echo echo = caller(b -> b);
    assertThat(status(echo.hello(new Hello("x")))).isEqualTo(Status.OK);
    failsWith(echo.hello(new Hello("x")), Status.RESOURCE_EXHAUSTED, "1 calls per 500 ms");
    source.set("vireo.server.endpoints.Hello.rate-limit.limit-for-period", "10");
    // with the old limit of one call per period, four in a row never all pass
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                Flux.range(0, 4)
                        .concatMap(i -> echo.hello(new Hello("x")))
                        .onErrorResume(e -> Mono.empty())
                        .count()
                        .block(Duration.ofSeconds(5))
                    == 4);
  }

  @Test
  void nothingConfiguredMeansNoWrapper() {
    assertThat(
            Resilience.fromConfig(
                Config.of(
                    Map.of(
                        "vireo.client.services.echo.timeout",
                        "1s",
                        "vireo.client.services.echo.selector",
                        "weighted"))))
        .isEmpty();
  }

  /** A dynamic configuration source whose values the test changes. */
  static final class LiveSource implements ConfigSource {
    final Map<String, String> values;
    final Sinks.Many<Set<String>> changes = Sinks.many().multicast().directBestEffort();

    LiveSource(Map<String, String> initial) {
      this.values = new ConcurrentHashMap<>(initial);
    }

    void set(String key, String value) {
      values.put(key, value);
      changes.tryEmitNext(Set.of(key));
    }

    @Override
    public String name() {
      return "live";
    }

    @Override
    public Map<String, String> properties() {
      return values;
    }

    @Override
    public Flux<Set<String>> changes() {
      return changes.asFlux();
    }

    @Override
    public Mono<Void> close() {
      changes.tryEmitComplete();
      return Mono.empty();
    }
  }
}
