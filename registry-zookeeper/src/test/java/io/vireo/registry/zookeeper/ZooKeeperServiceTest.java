package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * Whole services that find each other through ZooKeeper ({@code vireo.registry=zookeeper}). They
 * serve on the {@link #TRANSPORT} transport.
 */
class ZooKeeperServiceTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  /** The embedded transport until transport-rsocket is on main; then {@code rsocket}. */
  static final String TRANSPORT = "rsocket";

  private static final Duration CALL = Duration.ofSeconds(5);

  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.zk.Echo")
  public interface Echo {
    Mono<Pong> ping(Ping ping);
  }

  private final List<Service> services = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (Service service : services) {
      if (service.isRunning()) {
        service.stop();
      }
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  @Test
  void twoServicesFindAndCallEachOtherThroughZooKeeper() {
    String a = "alpha-" + suffix();
    String b = "beta-" + suffix();
    Service alpha = start(a, "alpha");
    Service beta = start(b, "beta");

    assertThat(beta.client(a, Echo.class).ping(new Ping("beta")).block(CALL))
        .isEqualTo(new Pong("alpha"));
    assertThat(alpha.client(b, Echo.class).ping(new Ping("alpha")).block(CALL))
        .isEqualTo(new Pong("beta"));
  }

  @Test
  void zooKeeperDownThenUpCallsKeepWorkingAndBothAreRegisteredAgain() throws Exception {
    String a = "alpha-" + suffix();
    String b = "beta-" + suffix();
    Service alpha = start(a, "alpha");
    Service beta = start(b, "beta");
    Echo toAlpha = beta.client(a, Echo.class);
    Echo toBeta = alpha.client(b, Echo.class);
    assertThat(toAlpha.ping(new Ping("beta")).block(CALL)).isEqualTo(new Pong("alpha"));
    assertThat(toBeta.ping(new Ping("alpha")).block(CALL)).isEqualTo(new Pong("beta"));
    List<ConnectionState> probe = probeStates();

    ZK.stop();
    await().atMost(Duration.ofSeconds(15)).until(() -> probe.contains(ConnectionState.LOST));
    assertThat(toAlpha.ping(new Ping("beta")).block(CALL))
        .as("calls work while ZooKeeper is down")
        .isEqualTo(new Pong("alpha"));
    assertThat(toBeta.ping(new Ping("alpha")).block(CALL)).isEqualTo(new Pong("beta"));

    ZK.restart();
    ZooKeeperRegistry fresh = ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
    closeables.add(() -> fresh.close().block(CALL));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(fresh.instances(a).block(CALL))
                  .containsExactly(alpha.instance().orElseThrow());
              assertThat(fresh.instances(b).block(CALL))
                  .containsExactly(beta.instance().orElseThrow());
            });
    assertThat(toAlpha.ping(new Ping("beta")).block(CALL)).isEqualTo(new Pong("alpha"));
    assertThat(toBeta.ping(new Ping("alpha")).block(CALL)).isEqualTo(new Pong("beta"));
  }

  @Test
  void aStoppedInstanceStopsReceivingCallsWithinASecond() {
    String greeter = "greeter-" + suffix();
    Service first = start(greeter, "first");
    Service second = start(greeter, "second");
    Service caller = start("caller-" + suffix(), "caller");
    Echo echo = caller.client(greeter, Echo.class);
    List<String> answeredBy = new CopyOnWriteArrayList<>();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              answeredBy.add(echo.ping(new Ping("caller")).block(CALL).by());
              return answeredBy.contains("first") && answeredBy.contains("second");
            });

    first.stop();

    await()
        .atMost(Duration.ofSeconds(1))
        .until(
            () -> {
              List<String> next = new ArrayList<>();
              for (int i = 0; i < 6; i++) {
                next.add(echo.ping(new Ping("caller")).block(CALL).by());
              }
              return next.stream().allMatch("second"::equals);
            });
    for (int i = 0; i < 10; i++) {
      assertThat(echo.ping(new Ping("caller")).block(CALL).by()).isEqualTo("second");
    }
  }

  private Service start(String name, String answer) {
    Service service =
        Service.builder(name)
            .handle(Echo.class, ping -> Mono.just(new Pong(answer)))
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.registry.zookeeper.session-timeout", "2s")
            .set("vireo.registry.zookeeper.connection-timeout", "2s")
            .set("vireo.transport", TRANSPORT)
            .set("vireo.codec", "json")
            .set("vireo.server.shutdown-timeout", "2s")
            .build()
            .start();
    services.add(service);
    ServiceInstance instance = service.instance().orElseThrow();
    assertThat(instance.transport()).isEqualTo(TRANSPORT);
    return service;
  }

  private List<ConnectionState> probeStates() throws InterruptedException {
    CuratorFramework probe =
        CuratorFrameworkFactory.newClient(ZK.connectString(), 2000, 1000, new RetryOneTime(100));
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    probe.getConnectionStateListenable().addListener((client, state) -> states.add(state));
    probe.start();
    assertThat(probe.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
    closeables.add(probe);
    return states;
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
