package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.etcd.EtcdExtension;
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
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The registry when etcd, the connection or a process fails, on a real etcd. */
class EtcdRegistryFaultTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration TTL = Duration.ofSeconds(2);
  private static final Duration BLOCK = Duration.ofSeconds(15);

  private final List<EtcdRegistry> registries = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Disposable> subscriptions = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    subscriptions.forEach(Disposable::dispose);
    for (EtcdRegistry registry : registries) {
      registry.close().block(BLOCK);
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  @Test
  void unreachableEtcdFailsWithUnavailableNamingTheEndpointsAndTheKey() throws IOException {
    String endpoints = "http://127.0.0.1:" + freePort() + ",http://127.0.0.1:" + freePort();
    EtcdRegistry registry =
        track(
            EtcdRegistry.builder()
                .endpoints(endpoints)
                .connectionTimeout(Duration.ofSeconds(1))
                .build());

    StepVerifier.create(registry.register(instance("nowhere", "i-1")))
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(VireoException.class);
              assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE);
              assertThat(error.getMessage()).contains(endpoints, "vireo.registry.etcd.endpoints");
            })
        .verify(BLOCK);
    StepVerifier.create(registry.watch("nowhere"))
        .expectErrorSatisfies(error -> assertThat(error.getMessage()).contains(endpoints))
        .verify(BLOCK);
  }

  @Test
  void callersAndWatchersNeverRunOnTheClientLibrarysThreads() {
    EtcdRegistry writer = registry();
    EtcdRegistry reader = registry();
    String service = "threads-" + suffix();
    List<String> watchThreads = new CopyOnWriteArrayList<>();
    subscriptions.add(
        reader
            .watch(service)
            .subscribe(instances -> watchThreads.add(Thread.currentThread().getName())));
    await().atMost(BLOCK).until(() -> !watchThreads.isEmpty());

    String registerThread =
        writer
            .register(instance(service, "i-1"))
            .then(Mono.fromSupplier(() -> Thread.currentThread().getName()))
            .block(BLOCK);

    await().atMost(BLOCK).until(() -> watchThreads.size() >= 2);
    assertThat(registerThread).startsWith("boundedElastic");
    assertThat(watchThreads)
        .allSatisfy(name -> assertThat(name).matches("vireo-etcd-watch-\\d+|boundedElastic-\\d+"));
  }

  @Test
  void killedProcessInstanceVanishesWhenItsLeaseExpires() throws Exception {
    EtcdRegistry reader = registry();
    String service = "crash-" + suffix();
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                RegisterAndHang.class.getName(),
                ETCD.endpoint(),
                service,
                "doomed",
                Long.toString(TTL.toSeconds()))
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
        .atMost(TTL.plusSeconds(10))
        .untilAsserted(() -> assertThat(reader.instances(service).block(BLOCK)).isEmpty());
    assertThat(reader.services().block(BLOCK)).doesNotContain(service);
  }

  @Test
  void clientGoneWithoutRevokingLeavesNoInstanceOnceTheLeaseExpires() {
    EtcdRegistry reader = registry();
    String service = "vanish-" + suffix();
    Client client = Client.builder().endpoints(ETCD.endpoint()).build();
    EtcdRegistry writer =
        track(
            EtcdRegistry.builder()
                .client(client)
                .leaseTtl(TTL)
                .connectionTimeout(Duration.ofSeconds(5))
                .build());
    ServiceInstance instance = instance(service, "i-1");
    writer.register(instance).block(BLOCK);
    awaitInstances(reader, service, List.of(instance));

    client.close(); // no revoke, no more keep-alives: as if the process hung

    await()
        .atMost(TTL.plusSeconds(10))
        .untilAsserted(() -> assertThat(reader.instances(service).block(BLOCK)).isEmpty());
  }

  @Test
  void etcdRestartLeavesRegistrationsBackAndWatchersWorking() {
    EtcdRegistry writer = registry();
    EtcdRegistry reader = registry();
    String service = "restart-" + suffix();
    ServiceInstance one = instance(service, "i-1");
    writer.register(one).block(BLOCK);
    List<List<ServiceInstance>> seen = collect(reader, service);
    await().atMost(BLOCK).until(() -> !seen.isEmpty() && last(seen).equals(List.of(one)));

    ETCD.stop();
    await().atMost(BLOCK).until(() -> !writer.reachable().block(BLOCK));
    assertThat(reader.instances(service).block(BLOCK)).as("stale but served").containsExactly(one);

    ETCD.restart();
    EtcdRegistry fresh = registry();
    awaitInstances(fresh, service, List.of(one));
    ServiceInstance two = instance(service, "i-2");
    writer.register(two).block(BLOCK);
    await()
        .atMost(BLOCK)
        .untilAsserted(() -> assertThat(last(seen)).containsExactlyInAnyOrder(one, two));
    awaitInstances(fresh, service, List.of(one, two));
    await().atMost(BLOCK).until(() -> writer.reachable().block(BLOCK));
  }

  @Test
  void changesMadeWhileEtcdIsDownFailButAreWrittenWhenItReturns() {
    EtcdRegistry writer = registry();
    String service = "pending-" + suffix();
    ServiceInstance stays = instance(service, "stays");
    ServiceInstance leaves = instance(service, "leaves");
    ServiceInstance late = instance(service, "late");
    writer.register(stays).then(writer.register(leaves)).block(BLOCK);

    ETCD.stop();
    StepVerifier.create(writer.register(late))
        .expectErrorSatisfies(
            error -> assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(BLOCK);
    StepVerifier.create(writer.deregister(leaves))
        .expectErrorSatisfies(
            error -> assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(BLOCK);
    ETCD.restart();

    EtcdRegistry fresh = registry();
    awaitInstances(fresh, service, List.of(late, stays));
  }

  @Test
  void etcdKilledForLongerThanTheTtlStillHasTheInstancesAfterItsRestart() throws Exception {
    EtcdRegistry writer = registry();
    String service = "killed-" + suffix();
    ServiceInstance one = instance(service, "i-1");
    writer.register(one).block(BLOCK);

    ETCD.kill();
    await().atMost(BLOCK).until(() -> !writer.reachable().block(BLOCK));
    await().pollDelay(TTL.plusSeconds(1)).atMost(TTL.plusSeconds(5)).until(() -> true);
    ETCD.restart();

    EtcdRegistry fresh = registry();
    // etcd renews leases when it starts; the keep-alives resume before they can expire
    await()
        .during(TTL.plusSeconds(1))
        .atMost(TTL.plusSeconds(10))
        .until(() -> fresh.instances(service).block(BLOCK).equals(List.of(one)));
  }

  @Test
  void expiredLeaseIsReplacedAndTheInstancesWrittenAgain() throws Exception {
    EtcdRegistry writer = registry();
    EtcdRegistry reader = registry();
    String service = "expired-" + suffix();
    ServiceInstance one = instance(service, "i-1");
    ServiceInstance two = instance(service, "i-2");
    writer.register(one).then(writer.register(two)).block(BLOCK);
    awaitInstances(reader, service, List.of(one, two));
    long lease = writer.leaseId();
    List<List<ServiceInstance>> seen = collect(reader, service);

    try (Client other = Client.builder().endpoints(ETCD.endpoint()).build()) {
      other
          .getLeaseClient()
          .revoke(lease)
          .get(10, TimeUnit.SECONDS); // as etcd does when a lease expires
    }

    await().atMost(BLOCK).until(() -> seen.stream().anyMatch(List::isEmpty));
    awaitInstances(reader, service, List.of(one, two));
    assertThat(writer.leaseId()).isNotEqualTo(lease).isNotZero();
  }

  @Test
  void watchResumesAfterADisconnectWithoutMissingOrRepeatingAChange() throws Exception {
    TcpProxy proxy = new TcpProxy(ETCD.port());
    closeables.add(proxy);
    EtcdRegistry writer =
        track(
            EtcdRegistry.builder()
                .endpoints(ETCD.endpoint())
                .build()); // 15 s lease: no lapse under load
    EtcdRegistry reader =
        track(
            EtcdRegistry.builder()
                .endpoints(proxy.endpoint())
                .leaseTtl(TTL)
                .connectionTimeout(Duration.ofSeconds(5))
                .build());
    String service = "resume-" + suffix();
    List<Long> applied = new CopyOnWriteArrayList<>();
    reader.onApplied(
        (type, key, revision) -> {
          if (key.contains(service)) {
            applied.add(revision);
          }
        });
    ServiceInstance one = instance(service, "i-1");
    writer.register(one).block(BLOCK);
    List<List<ServiceInstance>> seen = collect(reader, service);
    await().atMost(BLOCK).until(() -> !seen.isEmpty() && last(seen).equals(List.of(one)));
    long before;
    try (Client direct = Client.builder().endpoints(ETCD.endpoint()).build()) {
      before =
          direct
              .getKVClient()
              .get(PrefixCache.bytes("/"))
              .get(10, TimeUnit.SECONDS)
              .getHeader()
              .getRevision();

      proxy.cut();
      ServiceInstance two = instance(service, "i-2");
      ServiceInstance moved =
          new ServiceInstance(
              service,
              "i-1",
              "127.0.0.1",
              7999,
              "rsocket",
              "1.1.0",
              100,
              Map.of("zone", "b"),
              List.of());
      ServiceInstance three = instance(service, "i-3");
      writer.register(two).block(BLOCK);
      writer.register(moved).block(BLOCK);
      writer.register(three).block(BLOCK);
      writer.deregister(two).block(BLOCK);
      long after =
          direct
              .getKVClient()
              .get(PrefixCache.bytes("/"))
              .get(10, TimeUnit.SECONDS)
              .getHeader()
              .getRevision();
      assertThat(reader.instances(service).block(BLOCK))
          .as("stale while cut off")
          .containsExactly(one);

      proxy.restore();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(last(seen)).containsExactly(moved, three));
      assertThat(applied)
          .as("every change applied once, in order")
          .containsExactlyElementsOf(LongStream.rangeClosed(before + 1, after).boxed().toList());
    }
  }

  @Test
  void watchThatFindsItsRevisionsCompactedReadsTheServiceAgain() throws Exception {
    TcpProxy proxy = new TcpProxy(ETCD.port());
    closeables.add(proxy);
    EtcdRegistry writer =
        track(
            EtcdRegistry.builder()
                .endpoints(ETCD.endpoint())
                .build()); // 15 s lease: no lapse under load
    EtcdRegistry reader =
        track(
            EtcdRegistry.builder()
                .endpoints(proxy.endpoint())
                .leaseTtl(TTL)
                .connectionTimeout(Duration.ofSeconds(5))
                .build());
    String service = "compact-" + suffix();
    ServiceInstance one = instance(service, "i-1");
    writer.register(one).block(BLOCK);
    List<List<ServiceInstance>> seen = collect(reader, service);
    await().atMost(BLOCK).until(() -> !seen.isEmpty() && last(seen).equals(List.of(one)));

    proxy.cut();
    ServiceInstance two = instance(service, "i-2");
    writer.register(two).block(BLOCK);
    writer.deregister(one).block(BLOCK);
    try (Client direct = Client.builder().endpoints(ETCD.endpoint()).build()) {
      long now =
          direct
              .getKVClient()
              .get(PrefixCache.bytes("/"))
              .get(10, TimeUnit.SECONDS)
              .getHeader()
              .getRevision();
      direct.getKVClient().compact(now).get(10, TimeUnit.SECONDS);
    }
    proxy.restore();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(last(seen)).containsExactly(two));
  }

  private EtcdRegistry registry() {
    return track(
        EtcdRegistry.builder()
            .endpoints(ETCD.endpoint())
            .leaseTtl(TTL)
            .connectionTimeout(Duration.ofSeconds(5))
            .build());
  }

  private EtcdRegistry track(EtcdRegistry registry) {
    registries.add(registry);
    return registry;
  }

  private List<List<ServiceInstance>> collect(EtcdRegistry registry, String service) {
    List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(registry.watch(service).subscribe(seen::add));
    return seen;
  }

  private static void awaitInstances(
      EtcdRegistry registry, String service, List<ServiceInstance> expected) {
    await()
        .atMost(BLOCK)
        .untilAsserted(
            () ->
                assertThat(registry.instances(service).block(BLOCK))
                    .containsExactlyInAnyOrderElementsOf(expected));
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

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
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
