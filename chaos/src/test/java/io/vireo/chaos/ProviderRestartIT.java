package io.vireo.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two providers of {@code echo} in their own JVMs, a client load of 250 calls/s (half of them
 * {@code @Idempotent}), first a graceful restart of one provider, then a {@code kill -9} of one.
 */
class ProviderRestartIT {
  static final int RATE = 125;
  static final int DELAY_MILLIS = 20;

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @Test
  void gracefulRestartFailsNoCallAndKillFailsAtMostTheCallsInFlight() throws Exception {
    Map<String, String> config =
        Chaos.serverConfig(
            ZK.connectString(),
            "vireo.registry.zookeeper.session-timeout",
            "6s",
            "vireo.server.shutdown-timeout",
            "10s",
            "vireo.server.shutdown-delay",
            "2s");
    Child first = Child.start("echo-a", EchoServer.class, withId(config, "a"));
    Child second = Child.start("echo-b", EchoServer.class, withId(config, "b"));
    try (Chaos.Client chaos = Chaos.client(ZK.connectString())) {
      first.awaitLine("chaos-ready", Duration.ofSeconds(60));
      second.awaitLine("chaos-ready", Duration.ofSeconds(60));
      Service client = chaos.service();
      Echo echo = client.client("echo", Echo.class);
      awaitInstances(client, 2);

      // graceful: SIGTERM one provider under load, start it again, keep the load on it
      long start = System.nanoTime();
      Load plain = Load.start(RATE, echo::echo, DELAY_MILLIS);
      Load safe = Load.start(RATE, echo::echoSafe, DELAY_MILLIS);
      awaitCalls(plain, 400);
      assertThat(first.terminate())
          .as("exit code after SIGTERM (143: ended by the signal, after its shutdown hook)")
          .isIn(0, 143);
      first = Child.start("echo-a2", EchoServer.class, withId(config, "a2"));
      first.awaitLine("chaos-ready", Duration.ofSeconds(60));
      awaitInstances(client, 2);
      awaitCalls(plain, plain.started() + 400);
      plain.stopAndDrain(Duration.ofSeconds(30));
      safe.stopAndDrain(Duration.ofSeconds(30));
      Chaos.report(
          "graceful-restart",
          plain.started() + safe.started(),
          plain.failed() + safe.failed(),
          0,
          0,
          (System.nanoTime() - start) / 1_000_000,
          Chaos.figures("rate", 2 * RATE));
      assertThat(plain.failed() + safe.failed())
          .as("failed calls during a graceful restart: %s %s", plain.failures(), safe.failures())
          .isZero();

      // kill -9: the calls in flight on the killed provider may fail, idempotent ones are retried
      start = System.nanoTime();
      plain = Load.start(RATE, echo::echo, DELAY_MILLIS);
      safe = Load.start(RATE, echo::echoSafe, DELAY_MILLIS);
      awaitCalls(plain, 400);
      // in flight at the kill: the calls already sent, and those sent while the killed process
      // was dying (until it had exited, its instance was still picked)
      long sentBeforeKill = plain.started() + safe.started();
      long inFlightBeforeKill = plain.inFlight() + safe.inFlight();
      second.kill();
      long inFlight = inFlightBeforeKill + (plain.started() + safe.started() - sentBeforeKill);
      // past the session timeout, so that the dead provider's registration is gone too
      awaitCalls(plain, plain.started() + 8 * RATE);
      plain.stopAndDrain(Duration.ofSeconds(30));
      safe.stopAndDrain(Duration.ofSeconds(30));
      Chaos.report(
          "kill-9",
          plain.started() + safe.started(),
          plain.failed() + safe.failed(),
          0,
          0,
          (System.nanoTime() - start) / 1_000_000,
          Chaos.figures(
              "rate",
              2 * RATE,
              "in-flight-at-kill",
              inFlight,
              "failed-idempotent",
              safe.failed(),
              "failed-plain",
              plain.failed()));
      if (!plain.failures().isEmpty()) {
        System.out.println("chaos: kill-9: first failures: " + plain.failures());
      }
      assertThat(safe.failed())
          .as("failed @Idempotent calls after kill -9: %s", safe.failures())
          .isZero();
      assertThat(plain.failed())
          .as("failed calls after kill -9 (in flight at the kill: %d)", inFlight)
          .isLessThanOrEqualTo(inFlight);
    } finally {
      first.close();
      second.close();
    }
  }

  private static Map<String, String> withId(Map<String, String> config, String id) {
    Map<String, String> copy = new LinkedHashMap<>(config);
    copy.put("chaos.id", id);
    return copy;
  }

  static void awaitInstances(Service client, int count) {
    Echo echo = client.client("echo", Echo.class);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Awaitility.await("calls reach " + count + " providers")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              seen.add(echo.echo(new Echo.Request(0, 0)).block(Duration.ofSeconds(5)).from());
              return seen.size() >= count;
            });
  }

  static void awaitCalls(Load load, long calls) {
    Awaitility.await("load reaches " + calls + " calls")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> load.started() >= calls);
  }
}
