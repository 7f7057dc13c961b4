package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** The registry when ZooKeeper, the connection or a process fails, on a real ZooKeeper. */
class ZooKeeperRegistryFaultTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private static final Duration SESSION = Duration.ofSeconds(2);
  private static final Duration BLOCK = Duration.ofSeconds(15);

  private final List<ZooKeeperRegistry> registries = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Disposable> subscriptions = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    subscriptions.forEach(Disposable::dispose);
    for (ZooKeeperRegistry registry : registries) {
      registry.close().block(BLOCK);
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  @Test
  void unreachableZooKeeperAtStartFailsWithUnavailableNamingTheConnectString() throws IOException {
    String connect = "127.0.0.1:" + freePort();
    ZooKeeperRegistry registry =
        track(
            ZooKeeperRegistry.builder()
                .connect(connect)
                .connectionTimeout(Duration.ofMillis(500))
                .build());

    StepVerifier.create(registry.register(instance("nowhere", "i-1")))
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(VireoException.class);
              assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE);
              assertThat(error.getMessage())
                  .contains(connect, "vireo.registry.zookeeper.connect", "retry");
            })
        .verify(BLOCK);
  }

  @Test
  void withRetryRegistrationWaitsForZooKeeperToComeUp() throws Exception {
    int port = InstanceSpec.getRandomPort();
    ZooKeeperRegistry registry =
        track(
            ZooKeeperRegistry.builder()
                .connect("127.0.0.1:" + port)
                .connectionTimeout(Duration.ofMillis(300))
                .sessionTimeout(SESSION)
                .retry(true)
                .build());
    ServiceInstance instance = instance("late-" + UUID.randomUUID(), "i-1");

    CompletableFuture<Void> registered = registry.register(instance).toFuture();
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !registered.isDone());

    TestingServer late = new TestingServer(port, true);
    closeables.add(late);
    registered.get(15, TimeUnit.SECONDS);
    assertThat(registry.instances(instance.service()).block(BLOCK)).containsExactly(instance);
  }

  @Test
  void zooKeeperDownThenUpLeavesRegistrationsBackAndWatchersWorking() throws Exception {
    ZooKeeperRegistry writer = registry();
    ZooKeeperRegistry reader = registry();
    String service = "outage-" + UUID.randomUUID();
    ServiceInstance one = instance(service, "i-1");
    writer.register(one).block(BLOCK);
    List<List<ServiceInstance>> seen = collect(reader, service);
    await().atMost(BLOCK).until(() -> !seen.isEmpty() && last(seen).equals(List.of(one)));
    List<ConnectionState> probe = probeStates();

    ZK.stop();
    // long enough for the sessions to be lost on the client side
    await().atMost(BLOCK).until(() -> probe.contains(ConnectionState.LOST));
    assertThat(reader.instances(service).block(BLOCK)).as("stale but served").containsExactly(one);
    assertThat(last(seen)).containsExactly(one);

    ZK.restart();
    ZooKeeperRegistry fresh = registry();
    await()
        .atMost(BLOCK)
        .untilAsserted(
            () -> assertThat(fresh.instances(service).block(BLOCK)).containsExactly(one));
    ServiceInstance two = instance(service, "i-2");
    writer.register(two).block(BLOCK);
    await()
        .atMost(BLOCK)
        .untilAsserted(() -> assertThat(last(seen)).containsExactlyInAnyOrder(one, two));
    await()
        .atMost(BLOCK)
        .untilAsserted(
            () ->
                assertThat(fresh.instances(service).block(BLOCK))
                    .containsExactlyInAnyOrder(one, two));
  }

  @Test
  void expiredSessionRegistersTheInstanceAgain() throws Exception {
    ZooKeeperRegistry writer = registry();
    String service = "expiry-" + UUID.randomUUID();
    ServiceInstance instance = instance(service, "i-1");
    writer.register(instance).block(BLOCK);
    CuratorFramework curator = writer.curator();
    String path = "/services/" + service + "/i-1";
    long oldSession = curator.getZookeeperClient().getZooKeeper().getSessionId();
    assertThat(owner(curator, path)).isEqualTo(oldSession);

    KillSession.kill(curator.getZookeeperClient().getZooKeeper());

    await()
        .atMost(BLOCK)
        .untilAsserted(
            () -> {
              long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
              assertThat(session).isNotEqualTo(oldSession);
              assertThat(owner(curator, path)).isEqualTo(session);
            });
    // the old session's end on the server does not take the new registration away
    await()
        .during(SESSION.plusMillis(500))
        .atMost(SESSION.multipliedBy(3))
        .until(() -> owner(curator, path) != 0);
    ZooKeeperRegistry reader = registry();
    assertThat(reader.instances(service).block(BLOCK)).containsExactly(instance);
  }

  @Test
  void killedProcessInstanceVanishesOnceItsSessionTimesOut() throws Exception {
    ZooKeeperRegistry reader = registry();
    String service = "crash-" + UUID.randomUUID();
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                RegisterAndHang.class.getName(),
                ZK.connectString(),
                service,
                "doomed",
                Long.toString(SESSION.toMillis()))
            .redirectErrorStream(true)
            .start();
    closeables.add(process::destroyForcibly);
    CompletableFuture<Boolean> registered =
        CompletableFuture.supplyAsync(() -> readUntilRegistered(process));
    assertThat(registered.get(30, TimeUnit.SECONDS)).as("the child process registered").isTrue();
    await()
        .atMost(BLOCK)
        .untilAsserted(
            () ->
                assertThat(reader.instances(service).block(BLOCK))
                    .extracting(ServiceInstance::id)
                    .containsExactly("doomed"));

    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    await()
        .atMost(SESSION.plusSeconds(8))
        .untilAsserted(() -> assertThat(reader.instances(service).block(BLOCK)).isEmpty());
    assertThat(reader.curator().checkExists().forPath("/services/" + service + "/doomed"))
        .as("no leftover znode")
        .isNull();
  }

  @Test
  void anEmptySetRightAfterAReconnectionIsHeldUntilTheSessionTimeoutHasPassed() throws Exception {
    Duration settle = Duration.ofSeconds(5);
    ZooKeeperRegistry writer = registry();
    ZooKeeperRegistry reader =
        track(
            ZooKeeperRegistry.builder()
                .connect(ZK.connectString())
                .sessionTimeout(settle)
                .connectionTimeout(Duration.ofSeconds(2))
                .build());
    String service = "settle-" + UUID.randomUUID();
    ServiceInstance one = instance(service, "i-1");
    writer.register(one).block(BLOCK);
    List<List<ServiceInstance>> seen = collect(reader, service);
    await().atMost(BLOCK).until(() -> !seen.isEmpty() && last(seen).equals(List.of(one)));

    KillSession.kill(reader.curator().getZookeeperClient().getZooKeeper());
    await().atMost(BLOCK).until(reader::settling);
    // the provider's znode goes, as when Curator writes a registration again after a session
    // expired: deleted, then created
    writer.curator().delete().forPath("/services/" + service + "/i-1");

    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                last(seen).equals(List.of(one))
                    && reader.instances(service).block(BLOCK).equals(List.of(one)));
    // nobody came back within the session timeout: then the empty set is the truth
    await().atMost(settle.plus(BLOCK)).until(() -> last(seen).isEmpty());
    assertThat(reader.instances(service).block(BLOCK)).isEmpty();
  }

  @Test
  void removedInstanceLeavesTheWatchWithinASecond() {
    ZooKeeperRegistry writer = registry();
    ZooKeeperRegistry reader = registry();
    String service = "leave-" + UUID.randomUUID();
    ServiceInstance one = instance(service, "i-1");
    ServiceInstance two = instance(service, "i-2");
    writer.register(one).then(writer.register(two)).block(BLOCK);
    List<List<ServiceInstance>> seen = collect(reader, service);
    await().atMost(BLOCK).until(() -> !seen.isEmpty() && last(seen).size() == 2);

    writer.deregister(one).block(BLOCK);

    await()
        .atMost(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(last(seen)).containsExactly(two));
  }

  private ZooKeeperRegistry registry() {
    return track(
        ZooKeeperRegistry.builder()
            .connect(ZK.connectString())
            .sessionTimeout(SESSION)
            .connectionTimeout(Duration.ofSeconds(2))
            .build());
  }

  private ZooKeeperRegistry track(ZooKeeperRegistry registry) {
    registries.add(registry);
    return registry;
  }

  private List<List<ServiceInstance>> collect(ZooKeeperRegistry registry, String service) {
    List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(registry.watch(service).subscribe(seen::add));
    return seen;
  }

  /** A plain client with the same session timeout, to know when sessions are lost. */
  private List<ConnectionState> probeStates() throws InterruptedException {
    CuratorFramework probe =
        CuratorFrameworkFactory.newClient(
            ZK.connectString(), (int) SESSION.toMillis(), 1000, new RetryOneTime(100));
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    probe.getConnectionStateListenable().addListener((client, state) -> states.add(state));
    probe.start();
    assertThat(probe.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
    closeables.add(probe);
    return states;
  }

  private static long owner(CuratorFramework curator, String path) throws Exception {
    Stat stat = curator.checkExists().forPath(path);
    return stat == null ? 0 : stat.getEphemeralOwner();
  }

  private static boolean readUntilRegistered(Process process) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (int i = 0; i < 10_000; i++) {
        String line = out.readLine();
        if (line == null) {
          return false;
        }
        if (line.contains("REGISTERED")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static ServiceInstance instance(String service, String id) {
    return new ServiceInstance(
        service, id, "127.0.0.1", 7200, "rsocket", "1.0.0", 100, Map.of("zone", "a"), List.of());
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
