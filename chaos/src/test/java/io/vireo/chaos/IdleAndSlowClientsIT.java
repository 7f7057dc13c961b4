package io.vireo.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.chaos.Echo.StreamRequest;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@value #IDLE} idle RSocket connections (SETUP sent, then nothing) and a client that reads a
 * large stream slowly, against a service in its own JVM: its memory stays bounded and other calls
 * are still served.
 */
class IdleAndSlowClientsIT {
  static final int IDLE = 1_000;

  /**
   * What 1,000 idle connections and one slow stream may add to the server's resident memory, at
   * most.
   */
  static final long MAX_GROWTH_KIB = 64 * 1024;

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @Test
  void idleConnectionsAndASlowReaderLeaveMemoryBoundedAndCallsServed() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try (Child server =
            Child.start(
                "echo-idle",
                EchoServer.class,
                Chaos.serverConfig(
                    ZK.connectString(), "vireo.transport", "rsocket", "chaos.id", "idle"));
        Chaos.Client chaos = Chaos.client(ZK.connectString())) {
      int port = Child.port(server.awaitLine("chaos-ready", Duration.ofSeconds(60)), "rsocket");
      Service client = chaos.service();
      Echo echo = client.client("echo", Echo.class);
      ProviderRestartIT.awaitInstances(client, 1);
      // warm up the paths the case uses, so that what grows after is what the connections hold
      echo.stream(new StreamRequest(200, 1024)).blockLast(Duration.ofSeconds(30));
      server.jcmd("GC.run");
      long before = server.residentKib();
      long start = System.nanoTime();

      Load load = Load.start(50, echo::echo, 0);
      byte[] setup = Attack.frame(Attack.setup(Attack.COMPOSITE));
      for (int i = 0; i < IDLE; i++) {
        Socket socket = new Socket();
        idle.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.getOutputStream().write(setup);
      }
      // 4 MiB read 16 messages at a time, 2 ms a message: demand crosses the wire, the server waits
      long chunks =
          echo.stream(new StreamRequest(4096, 1024))
              .limitRate(16)
              .delayElements(Duration.ofMillis(2))
              .count()
              .block(Duration.ofMinutes(2));
      server.jcmd("GC.run");
      long after = server.residentKib();
      long open = idle.stream().filter(socket -> !closedByServer(socket)).count();
      load.stopAndDrain(Duration.ofSeconds(30));
      long growth = after - before;
      Chaos.report(
          "idle-and-slow-clients",
          load.started(),
          load.failed(),
          4096 - chunks,
          0,
          (System.nanoTime() - start) / 1_000_000,
          Chaos.figures(
              "idle-connections",
              IDLE,
              "still-open",
              open,
              "slow-stream-chunks",
              chunks,
              "rss-before-mb",
              before / 1024,
              "rss-after-mb",
              after / 1024,
              "rss-growth-kib-per-connection",
              growth / IDLE));
      assertThat(load.failed()).as("failed calls: %s", load.failures()).isZero();
      assertThat(chunks).as("chunks of the slow stream").isEqualTo(4096);
      assertThat(open)
          .as("idle connections the server keeps (no idle timeout is set)")
          .isEqualTo(IDLE);
      assertThat(growth).as("resident memory growth, KiB").isLessThan(MAX_GROWTH_KIB);
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
    }
  }

  private static boolean closedByServer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
