package io.vireo.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vireo.CallOptions;
import io.vireo.selector.Cluster.Backend;
import io.vireo.selector.Cluster.Echo;
import io.vireo.selector.Cluster.Hello;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class SelectorsTest {
  final Cluster cluster = new Cluster();

  @AfterEach
  void stop() {
    cluster.close();
  }

  static void call(Echo echo, int times, int concurrency) {
    Flux.range(0, times)
        .flatMap(i -> echo.hello(new Hello("n" + i)), concurrency)
        .then()
        .block(Duration.ofSeconds(30));
  }

  @Test
  void roundRobinSpreadsEvenly() {
    List<Backend> backends =
        List.of(cluster.backend("a"), cluster.backend("b"), cluster.backend("c"));
    Echo echo = cluster.caller(b -> b.set("vireo.selector", "round-robin"));
    call(echo, 300, 1);
    assertThat(backends).allSatisfy(backend -> assertThat(backend.calls).hasValue(100));
  }

  @Test
  void weightedFollowsTheWeightsOver10000Calls() {
    Backend light = cluster.backend("light", b -> b.set("vireo.server.weight", "100"));
    Backend middle = cluster.backend("middle", b -> b.set("vireo.server.weight", "200"));
    Backend heavy = cluster.backend("heavy", b -> b.metadata("weight", "300"));
    Echo echo = cluster.caller(b -> b.set("vireo.client.services.echo.selector", "weighted"));
    call(echo, 10_000, 8);
    assertThat(light.calls.get() / 10_000.0).isCloseTo(1 / 6.0, within(0.03));
    assertThat(middle.calls.get() / 10_000.0).isCloseTo(2 / 6.0, within(0.03));
    assertThat(heavy.calls.get() / 10_000.0).isCloseTo(3 / 6.0, within(0.03));
  }

  @Test
  void consistentHashKeepsKeysAndMovesOnlyTheLeaversKeys() {
    for (int i = 0; i < 5; i++) {
      cluster.backend("b" + i);
    }
    Echo echo =
        cluster.caller(
            b ->
                b.set("vireo.selector", "consistent-hash")
                    .set("vireo.selector.consistent-hash.header", "x-user"));
    Map<String, String> before = route(echo, 1000);
    assertThat(route(echo, 1000)).as("the same key goes to the same instance").isEqualTo(before);
    assertThat(Map.copyOf(before).values().stream().distinct().count()).isEqualTo(5);

    Backend leaver = cluster.backends.get(2);
    leaver.service.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.registered() == 4);
    Map<String, String> after = route(echo, 1000);
    int moved = 0;
    for (Map.Entry<String, String> entry : before.entrySet()) {
      if (!entry.getValue().equals(leaver.label)) {
        assertThat(after.get(entry.getKey()))
            .as("key %s stays", entry.getKey())
            .isEqualTo(entry.getValue());
      } else {
        moved++;
        assertThat(after.get(entry.getKey())).isNotEqualTo(leaver.label);
      }
    }
    assertThat(moved / 1000.0).as("about 1/5 of the keys move").isBetween(0.1, 0.3);
  }

  /** Key to the label of the backend that served it. */
  private Map<String, String> route(Echo echo, int keys) {
    Map<String, String> served = new HashMap<>();
    Flux.range(0, keys)
        .concatMap(
            i ->
                echo.hello(new Hello("k" + i))
                    .contextWrite(CallOptions.header("x-user", "user-" + i))
                    .doOnNext(reply -> served.put("user-" + i, reply.from())))
        .then()
        .block(Duration.ofSeconds(30));
    return served;
  }

  @Test
  void consistentHashWithoutKeyStillSpreads() {
    List<Backend> backends = List.of(cluster.backend("a"), cluster.backend("b"));
    Echo echo = cluster.caller(b -> b.set("vireo.selector", "consistent-hash"));
    call(echo, 100, 1);
    assertThat(backends).allSatisfy(backend -> assertThat(backend.calls).hasValue(50));
  }

  @Test
  void leastLoadedSendsLessToASlowInstance() {
    Backend fast1 = cluster.backend("fast1");
    Backend fast2 = cluster.backend("fast2");
    Backend slow = cluster.backend("slow");
    slow.delay.set(Duration.ofMillis(30));
    Echo echo = cluster.caller(b -> b.set("vireo.selector", "least-loaded"));
    call(echo, 400, 4);
    assertThat(slow.calls.get()).as("the slow instance's share").isLessThan(400 / 10);
    assertThat(fast1.calls.get() + fast2.calls.get() + slow.calls.get()).isEqualTo(400);
  }
}
