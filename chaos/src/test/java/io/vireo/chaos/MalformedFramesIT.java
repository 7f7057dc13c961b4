package io.vireo.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 20: bad connections from raw sockets, two rounds of {@value #CONNECTIONS} per transport,
 * against a service in its own JVM with Netty's leak detector at paranoid, while a client keeps
 * calling it.
 */
class MalformedFramesIT {
  static final int CONNECTIONS = Integer.getInteger("chaos.malformed.connections", 10_000);

  /**
   * Bad connections at once: 64 against RSocket; 16 against gRPC, see the root README's reliability
   * section.
   */
  static final int PARALLEL = Integer.getInteger("chaos.malformed.parallel", 64);

  static final int GRPC_PARALLEL = Integer.getInteger("chaos.malformed.grpc-parallel", 16);

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @ParameterizedTest
  @ValueSource(strings = {"rsocket", "grpc"})
  void badConnectionsAreRefusedQuietlyWhileGoodCallsGoOn(String transport) throws Exception {
    List<Attack.Kind> kinds =
        transport.equals("rsocket") ? Attack.rsocketKinds() : Attack.grpcKinds();
    int parallel = transport.equals("rsocket") ? PARALLEL : GRPC_PARALLEL;
    try (Child server =
            Child.start(
                "echo-" + transport,
                EchoServer.class,
                Chaos.serverConfig(
                    ZK.connectString(),
                    "vireo.transport",
                    transport,
                    "vireo.wrappers",
                    "metrics",
                    "vireo.admin.port",
                    "0",
                    "vireo.transport.rsocket.frame-timeout",
                    "1s",
                    "chaos.id",
                    transport),
                "-Dio.netty.leakDetection.level=paranoid");
        Chaos.Client chaosClient = Chaos.client(ZK.connectString())) {
      Service client = chaosClient.service();
      String ready = server.awaitLine("chaos-ready", Duration.ofSeconds(60));
      int port = Child.port(ready, transport);
      int admin = Child.port(ready, "admin");
      Echo echo = client.client("echo", Echo.class);
      Awaitility.await("first call")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> echo.echo(new Echo.Request(0, 0)).block(Duration.ofSeconds(5)) != null);
      int linesBefore = server.lineCount();
      long start = System.nanoTime();

      Load good = Load.start(50, echo::echo, 0);
      int closedFirst = Attack.run(port, kinds, CONNECTIONS, parallel, 1);
      server.jcmd("GC.run");
      long residentFirst = server.residentKib();
      int closedSecond = Attack.run(port, kinds, CONNECTIONS, parallel, 2);
      server.jcmd("GC.run");
      long residentSecond = server.residentKib();
      // leaks are reported when a leaked buffer is collected and the detector next samples
      Load after = Load.start(50, echo::echo, 0);
      after.stopAndDrain(Duration.ofSeconds(30));
      good.stopAndDrain(Duration.ofSeconds(30));
      long millis = (System.nanoTime() - start) / 1_000_000;

      double refused =
          Awaitility.await("refused counter")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      Chaos.metric(
                          admin,
                          "vireo_server_connections_refused_total",
                          "transport=\"" + transport + "\""),
                  count -> count >= 2.0 * CONNECTIONS);
      List<String> logged = server.lines().subList(linesBefore, server.lineCount());
      long leaks = logged.stream().filter(line -> line.contains("LEAK")).count();
      double growth = 100.0 * (residentSecond - residentFirst) / residentFirst;
      long calls = good.started() + after.started();
      long failed = good.failed() + after.failed();
      Chaos.report(
          "malformed-frames-" + transport,
          calls,
          failed,
          0,
          0,
          millis,
          Chaos.figures(
              "bad-connections",
              2 * CONNECTIONS,
              "parallel",
              parallel,
              "closed-by-server",
              closedFirst + closedSecond,
              "refused-counter",
              (long) refused,
              "log-lines",
              logged.size(),
              "leaks",
              leaks,
              "rss-first-mb",
              residentFirst / 1024,
              "rss-second-mb",
              residentSecond / 1024,
              "rss-growth-pct",
              String.format("%.1f", growth)));
      logged.stream()
          .limit(20)
          .forEach(line -> System.out.println("  " + transport + " server: " + line));

      assertThat(failed).as("good calls that failed: %s", good.failures()).isZero();
      assertThat(closedFirst + closedSecond)
          .as("bad connections the server closed")
          .isEqualTo(2 * CONNECTIONS);
      assertThat((long) refused).as("refused-connection counter").isEqualTo(2L * CONNECTIONS);
      assertThat(leaks).as("LEAK reports").isZero();
      assertThat(logged).as("lines the server logged").hasSizeLessThan(100);
      assertThat(growth)
          .as("resident memory growth of the second round over the first, %")
          .isLessThan(5.0);
    }
  }
}
