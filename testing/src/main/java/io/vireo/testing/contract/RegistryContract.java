package io.vireo.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What every {@link Registry} does, written once. A registry module extends this class and says how
 * to make a registry; each {@link #newRegistry()} is a separate client of the same store (for a
 * networked registry, a separate connection), so that one can watch what another writes.
 *
 * <pre>{@code
 * class ZooKeeperRegistryContractTest extends RegistryContract {
 *   @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();
 *
 *   @Override
 *   protected Registry newRegistry() {
 *     return ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
 *   }
 * }
 * }</pre>
 *
 * <p>Changes must be visible to other clients within {@link #visibility()}; every test uses service
 * names of its own, so tests do not see each other's instances.
 */
public abstract class RegistryContract {
  private static final Duration BLOCK = Duration.ofSeconds(10);

  private final List<Registry> registries = new ArrayList<>();
  private final List<Disposable> subscriptions = new ArrayList<>();

  /** A new client of the registry under test; the contract closes it after each test. */
  protected abstract Registry newRegistry();

  /** How long a change may take to reach another client (default 5 seconds). */
  protected Duration visibility() {
    return Duration.ofSeconds(5);
  }

  @AfterEach
  void closeRegistries() {
    subscriptions.forEach(Disposable::dispose);
    for (Registry registry : registries) {
      registry.close().block(BLOCK);
    }
    registries.clear();
  }

  @Test
  void registeredInstanceIsSeenWithAllFieldsIntact() {
    Registry writer = registry();
    Registry reader = registry();
    String service = serviceName("fields");
    ServiceInstance instance =
        new ServiceInstance(
            service,
            "i-1",
            "127.0.0.1",
            7001,
            "rsocket",
            "1.4.2",
            30,
            Map.of("zone", "eu-1", "canary", "true"),
            List.of("vireo.test.Greeter.SayHello", "vireo.test.Greeter.Chat"));

    writer.register(instance).block(BLOCK);

    awaitInstances(reader, service, List.of(instance));
    awaitInstances(writer, service, List.of(instance));
    List<ServiceInstance> watched =
        reader.watch(service).filter(instances -> !instances.isEmpty()).blockFirst(BLOCK);
    assertThat(watched).containsExactly(instance);
  }

  @Test
  void deregisterRemovesTheInstance() {
    Registry writer = registry();
    Registry reader = registry();
    String service = serviceName("deregister");
    ServiceInstance one = instance(service, "i-1", 7001);
    ServiceInstance two = instance(service, "i-2", 7002);
    writer.register(one).then(writer.register(two)).block(BLOCK);
    awaitInstances(reader, service, List.of(one, two));

    writer.deregister(one).block(BLOCK);

    awaitInstances(reader, service, List.of(two));
    awaitInstances(writer, service, List.of(two));
  }

  @Test
  void deregisteringAnUnknownInstanceCompletes() {
    Registry registry = registry();
    registry.deregister(instance(serviceName("unknown"), "nobody", 7001)).block(BLOCK);
    assertThat(registry.instances(serviceName("unknown")).block(BLOCK)).isEmpty();
  }

  @Test
  void watchEmitsTheCurrentSetFirstThenEachChange() {
    Registry writer = registry();
    Registry reader = registry();
    String service = serviceName("watch");
    ServiceInstance one = instance(service, "i-1", 7001);
    ServiceInstance two = instance(service, "i-2", 7002);
    writer.register(one).block(BLOCK);
    awaitInstances(reader, service, List.of(one));

    List<List<ServiceInstance>> seen = collect(reader.watch(service));
    await().atMost(visibility()).until(() -> !seen.isEmpty());
    assertThat(seen.get(0)).as("the first emission is the current set").containsExactly(one);

    writer.register(two).block(BLOCK);
    await()
        .atMost(visibility())
        .untilAsserted(() -> assertThat(last(seen)).containsExactlyInAnyOrder(one, two));

    writer.deregister(one).block(BLOCK);
    await().atMost(visibility()).untilAsserted(() -> assertThat(last(seen)).containsExactly(two));

    writer.deregister(two).block(BLOCK);
    await().atMost(visibility()).untilAsserted(() -> assertThat(last(seen)).isEmpty());
    assertThat(seen)
        .as("every emission is a set the registry held")
        .allSatisfy(
            set ->
                assertThat(
                        List.of(
                            List.of(one),
                            List.of(one, two),
                            List.of(two),
                            List.of(two, one),
                            List.<ServiceInstance>of()))
                    .anySatisfy(held -> assertThat(set).containsExactlyInAnyOrderElementsOf(held)));
  }

  @Test
  void watchOfAServiceWithoutInstancesEmitsAnEmptySetFirst() {
    Registry reader = registry();
    List<ServiceInstance> first = reader.watch(serviceName("nobody")).blockFirst(BLOCK);
    assertThat(first).isEmpty();
  }

  @Test
  void twoServicesAreSeparate() {
    Registry writer = registry();
    Registry reader = registry();
    String orders = serviceName("orders");
    String billing = serviceName("billing");
    ServiceInstance order = instance(orders, "same-id", 7001);
    ServiceInstance bill = instance(billing, "other-id", 7002);

    writer.register(order).then(writer.register(bill)).block(BLOCK);

    awaitInstances(reader, orders, List.of(order));
    awaitInstances(reader, billing, List.of(bill));
    writer.deregister(order).block(BLOCK);
    awaitInstances(reader, orders, List.of());
    assertThat(reader.instances(billing).block(BLOCK)).containsExactly(bill);
  }

  @Test
  void registeringTheSameIdAgainReplacesTheInstance() {
    Registry writer = registry();
    Registry reader = registry();
    String service = serviceName("replace");
    ServiceInstance first =
        new ServiceInstance(
            service,
            "i-1",
            "127.0.0.1",
            7001,
            "rsocket",
            "1.0.0",
            100,
            Map.of("zone", "a"),
            List.of());
    ServiceInstance second =
        new ServiceInstance(
            service,
            "i-1",
            "127.0.0.1",
            7009,
            "grpc",
            "2.0.0",
            50,
            Map.of("zone", "b"),
            List.of("x.Y.Z"));
    writer.register(first).block(BLOCK);
    awaitInstances(reader, service, List.of(first));

    writer.register(second).block(BLOCK);

    awaitInstances(reader, service, List.of(second));
    awaitInstances(writer, service, List.of(second));
  }

  @Test
  void servicesListsTheNamesThatHaveInstances() {
    Registry writer = registry();
    Registry reader = registry();
    String orders = serviceName("orders");
    String billing = serviceName("billing");
    ServiceInstance order = instance(orders, "i-1", 7001);
    writer.register(order).then(writer.register(instance(billing, "i-2", 7002))).block(BLOCK);

    await()
        .atMost(visibility())
        .untilAsserted(() -> assertThat(reader.services().block(BLOCK)).contains(orders, billing));

    writer.deregister(order).block(BLOCK);
    await()
        .atMost(visibility())
        .untilAsserted(
            () ->
                assertThat(reader.services().block(BLOCK))
                    .contains(billing)
                    .doesNotContain(orders));
  }

  @Test
  void closingARegistryRemovesItsRegistrations() {
    Registry writer = newRegistry(); // closed by the test itself
    Registry reader = registry();
    String service = serviceName("close");
    ServiceInstance instance = instance(service, "i-1", 7001);
    writer.register(instance).block(BLOCK);
    awaitInstances(reader, service, List.of(instance));

    writer.close().block(BLOCK);

    awaitInstances(reader, service, List.of());
  }

  /** A registry the contract closes after the test. */
  protected final Registry registry() {
    Registry registry = newRegistry();
    registries.add(registry);
    return registry;
  }

  /** A service name no other test uses. */
  protected static String serviceName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  protected static ServiceInstance instance(String service, String id, int port) {
    return new ServiceInstance(
        service,
        id,
        "127.0.0.1",
        port,
        "rsocket",
        "1.0.0",
        ServiceInstance.DEFAULT_WEIGHT,
        Map.of(),
        List.of());
  }

  /**
   * Waits until {@code registry} lists exactly {@code expected} (in any order) for {@code service}.
   */
  protected final void awaitInstances(
      Registry registry, String service, List<ServiceInstance> expected) {
    await()
        .atMost(visibility())
        .untilAsserted(
            () ->
                assertThat(registry.instances(service).block(BLOCK))
                    .containsExactlyInAnyOrderElementsOf(expected));
  }

  /** Subscribes and records every emission; disposed after the test. */
  protected final <T> List<T> collect(Flux<T> flux) {
    List<T> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(flux.subscribe(seen::add));
    return seen;
  }

  protected static <T> T last(List<T> list) {
    assertThat(list).isNotEmpty();
    return list.get(list.size() - 1);
  }

  /** Blocks for a registry call in a test. */
  protected static <T> T block(Mono<T> mono) {
    return mono.block(BLOCK);
  }
}
