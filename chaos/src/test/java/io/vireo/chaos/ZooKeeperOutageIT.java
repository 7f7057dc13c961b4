package io.vireo.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ZooKeeper down for {@value #OUTAGE_SECONDS} s under a load of 250 calls/s: calls go on to the
 * instances the client knows, and the providers' registrations are back within one session timeout
 * after ZooKeeper returns.
 */
class ZooKeeperOutageIT {
  static final int OUTAGE_SECONDS = Integer.getInteger("chaos.zookeeper.outage-seconds", 30);
  static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @Test
  void callsFlowOnCachedInstancesAndRegistrationsComeBack() throws Exception {
    Map<String, String> config =
        Chaos.serverConfig(
            ZK.connectString(),
            "vireo.registry.zookeeper.session-timeout",
            SESSION_TIMEOUT.toSeconds() + "s");
    try (Child first = Child.start("echo-a", EchoServer.class, with(config, "a"));
        Child second = Child.start("echo-b", EchoServer.class, with(config, "b"));
        Chaos.Client chaos =
            Chaos.client(
                ZK.connectString(),
                "vireo.registry.zookeeper.session-timeout",
                SESSION_TIMEOUT.toSeconds() + "s")) {
      first.awaitLine("chaos-ready", Duration.ofSeconds(60));
      second.awaitLine("chaos-ready", Duration.ofSeconds(60));
      Service client = chaos.service();
      Echo echo = client.client("echo", Echo.class);
      ProviderRestartIT.awaitInstances(client, 2);

      long start = System.nanoTime();
      Load load = Load.start(250, echo::echo, 5);
      ProviderRestartIT.awaitCalls(load, 500);
      ZK.stop();
      long callsBeforeOutage = load.started();
      ProviderRestartIT.awaitCalls(load, callsBeforeOutage + 250L * OUTAGE_SECONDS);
      long callsDuringOutage = load.started() - callsBeforeOutage;
      long failedDuringOutage = load.failed();
      ZK.restart();
      long back = System.nanoTime();
      long registeredMillis;
      try (CuratorFramework curator =
          CuratorFrameworkFactory.newClient(ZK.connectString(), new RetryOneTime(100))) {
        curator.start();
        Awaitility.await("both registrations back")
            .atMost(SESSION_TIMEOUT.plusSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(() -> children(curator).size(), size -> size == 2);
        registeredMillis = (System.nanoTime() - back) / 1_000_000;
      }
      ProviderRestartIT.awaitCalls(load, load.started() + 500);
      load.stopAndDrain(Duration.ofSeconds(30));
      Chaos.report(
          "zookeeper-down-" + OUTAGE_SECONDS + "s",
          load.started(),
          load.failed(),
          0,
          0,
          (System.nanoTime() - start) / 1_000_000,
          Chaos.figures(
              "calls-during-outage",
              callsDuringOutage,
              "failed-during-outage",
              failedDuringOutage,
              "registrations-back-ms",
              registeredMillis,
              "session-timeout-ms",
              SESSION_TIMEOUT.toMillis()));
      assertThat(load.failed()).as("failed calls: %s", load.failures()).isZero();
      assertThat(registeredMillis)
          .as("ms until the registrations were back")
          .isLessThanOrEqualTo(SESSION_TIMEOUT.toMillis());
    }
  }

  private static List<String> children(CuratorFramework curator) throws Exception {
    return curator.getChildren().forPath("/services/echo");
  }

  private static Map<String, String> with(Map<String, String> config, String id) {
    Map<String, String> copy = new LinkedHashMap<>(config);
    copy.put("chaos.id", id);
    return copy;
  }
}
