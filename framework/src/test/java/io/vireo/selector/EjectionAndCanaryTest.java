package io.vireo.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.CallOptions;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.internal.selector.Selectors;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Cluster.Backend;
import io.vireo.selector.Cluster.Echo;
import io.vireo.selector.Cluster.Hello;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class EjectionAndCanaryTest {
  final Cluster cluster = new Cluster();

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** Calls one by one; counts the failures the caller sees. */
  static int failures(Echo echo, int times, boolean idempotent) {
    AtomicInteger failed = new AtomicInteger();
    Flux.range(0, times)
        .concatMap(
            i ->
                (idempotent ? echo.hello(new Hello("n" + i)) : echo.once(new Hello("n" + i)))
                    .onErrorResume(
                        e -> {
                          failed.incrementAndGet();
                          return Mono.empty();
                        }))
        .then()
        .block(Duration.ofSeconds(30));
    return failed.get();
  }

  @Test
  void aFailingInstanceIsEjectedAndRetriesHideItsFailures() {
    cluster.backend("a");
    cluster.backend("b");
    Backend failing = cluster.backend("failing");
    failing.failWith.set(Status.UNAVAILABLE);
    Echo echo = cluster.caller(b -> b.set("vireo.selector", "round-robin"));
    assertThat(failures(echo, 30, true))
        .as("retries move each failed call to another instance")
        .isZero();
    assertThat(failing.calls).as("ejected after 5 consecutive failures").hasValue(5);
    assertThat(failures(echo, 100, true)).isZero();
    assertThat(failing.calls).as("left out for the ejection time").hasValue(5);
  }

  @Test
  void withoutRetriesTheCallerSeesOnlyTheFirstFewFailures() {
    cluster.backend("a");
    cluster.backend("b");
    Backend failing = cluster.backend("failing");
    failing.failWith.set(Status.INTERNAL);
    Echo echo = cluster.caller(b -> b.set("vireo.selector", "round-robin"));
    assertThat(failures(echo, 60, false)).isEqualTo(5);
    assertThat(failures(echo, 100, false)).isZero();
  }

  @Test
  void answersThatBlameTheCallerDoNotEject() {
    cluster.backend("a");
    Backend strict = cluster.backend("strict");
    strict.failWith.set(Status.INVALID_ARGUMENT);
    Echo echo = cluster.caller(b -> b.set("vireo.selector", "round-robin"));
    assertThat(failures(echo, 40, false)).isEqualTo(20);
    assertThat(strict.calls).hasValue(20);
  }

  @Test
  void anEjectedInstanceIsTriedAgainAfterItsEjectionTime() {
    cluster.backend("a");
    Backend flaky = cluster.backend("flaky");
    flaky.failWith.set(Status.UNAVAILABLE);
    Echo echo =
        cluster.caller(
            b ->
                b.set("vireo.selector", "round-robin")
                    .set("vireo.client.outlier.consecutive-failures", "2")
                    .set("vireo.client.outlier.base-ejection-time", "300ms"));
    assertThat(failures(echo, 10, true)).isZero();
    assertThat(flaky.calls).hasValue(2);
    flaky.failWith.set(Status.OK);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> failures(echo, 1, true) == 0 && flaky.calls.get() > 2);
  }

  @Test
  void theLastInstanceIsNeverEjected() {
    Backend only = cluster.backend("only");
    only.failWith.set(Status.UNAVAILABLE);
    Echo echo = cluster.caller(b -> b.set("vireo.client.retries", "0"));
    assertThat(failures(echo, 20, true)).isEqualTo(20);
    assertThat(only.calls).hasValue(20);
  }

  @Test
  void ejectionCanBeSwitchedOff() {
    cluster.backend("a");
    Backend failing = cluster.backend("failing");
    failing.failWith.set(Status.INTERNAL);
    Echo echo =
        cluster.caller(
            b ->
                b.set("vireo.selector", "round-robin")
                    .set("vireo.client.services.echo.outlier.enabled", "false"));
    assertThat(failures(echo, 40, false)).isEqualTo(20);
  }

  @Test
  void canaryInstancesGetTheConfiguredShare() {
    Backend stable1 = cluster.backend("stable1");
    Backend stable2 = cluster.backend("stable2");
    Backend canary = cluster.backend("canary", b -> b.metadata("canary", "true"));
    Echo echo = cluster.caller(b -> b.set("vireo.client.services.echo.canary.percent", "20"));
    int calls = 4000;
    SelectorsTest.call(echo, calls, 8);
    // 5 standard deviations of a binomial(4000, 0.2) share: 0.032
    assertThat(canary.calls.get() / (double) calls).isCloseTo(0.2, within(0.032));
    assertThat(stable1.calls.get() + stable2.calls.get() + canary.calls.get()).isEqualTo(calls);
  }

  @Test
  void canaryHeaderRoutesToCanariesOnly() {
    Backend stable = cluster.backend("stable");
    Backend canary = cluster.backend("canary", b -> b.metadata("canary", "true"));
    Echo echo = cluster.caller(b -> b.set("vireo.client.services.echo.canary.header", "x-canary"));
    Flux.range(0, 20)
        .concatMap(
            i ->
                echo.hello(new Hello("c" + i)).contextWrite(CallOptions.header("x-canary", "true")))
        .then()
        .block(Duration.ofSeconds(10));
    assertThat(canary.calls).hasValue(20);
    assertThat(stable.calls).hasValue(0);
    SelectorsTest.call(echo, 20, 1);
    Flux.range(0, 20)
        .concatMap(
            i ->
                echo.hello(new Hello("s" + i))
                    .contextWrite(CallOptions.header("x-canary", "false")))
        .then()
        .block(Duration.ofSeconds(10));
    assertThat(canary.calls).as("calls without the header stay off the canaries").hasValue(20);
    assertThat(stable.calls).hasValue(40);
  }

  @Test
  void versionFilterKeepsOtherVersionsOut() {
    Backend v1 = cluster.backend("v1", b -> b.version("1.0"));
    Backend v2 = cluster.backend("v2", b -> b.version("2.0"));
    Echo echo = cluster.caller(b -> b.set("vireo.client.services.echo.version", "2.0"));
    SelectorsTest.call(echo, 20, 2);
    assertThat(v1.calls).hasValue(0);
    assertThat(v2.calls).hasValue(20);
  }

  @Test
  void weightedWarmUpRampsANewInstanceLinearly() {
    AtomicLong clock = new AtomicLong();
    Selector weighted = Selectors.weighted(Duration.ofSeconds(100), clock::get);
    ServiceInstance a = instance("a");
    ServiceInstance b = instance("b");
    ServiceInstance fresh = instance("fresh");
    weighted.select(List.of(a, b), call());
    clock.addAndGet(Duration.ofSeconds(200).toNanos());
    List<ServiceInstance> all = List.of(a, b, fresh);
    assertThat(share(weighted, all, fresh))
        .as("just seen: 1/20 of its weight")
        .isCloseTo(5 / 205.0, within(0.01));
    clock.addAndGet(Duration.ofSeconds(50).toNanos());
    assertThat(share(weighted, all, fresh)).as("half way").isCloseTo(55 / 255.0, within(0.01));
    clock.addAndGet(Duration.ofSeconds(60).toNanos());
    assertThat(share(weighted, all, fresh)).as("warm").isCloseTo(1 / 3.0, within(0.01));
  }

  private static double share(
      Selector selector, List<ServiceInstance> candidates, ServiceInstance which) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(selector.select(candidates, call()).orElseThrow().id(), 1, Integer::sum);
    }
    return counts.getOrDefault(which.id(), 0) / 10_000.0;
  }

  private static ServiceInstance instance(String id) {
    return new ServiceInstance("echo", id, "127.0.0.1", 1, "memory", "", 100, Map.of(), List.of());
  }

  private static Call call() {
    return new Call(
        "echo",
        Route.of("vireo.test.Echo", "Hello"),
        CallKind.UNARY,
        Headers.empty(),
        Duration.ZERO,
        true);
  }
}
