package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.etcd.EtcdExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * Whole services that find each other through etcd ({@code vireo.registry=etcd}) and call over
 * RSocket.
 */
class EtcdServiceTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration CALL = Duration.ofSeconds(5);

  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.etcd.Echo")
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
  void twoServicesFindAndCallEachOtherThroughEtcdOverRsocket() {
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
  void etcdDownThenUpCallsKeepWorkingAndBothAreStillRegistered() {
    String a = "alpha-" + suffix();
    String b = "beta-" + suffix();
    Service alpha = start(a, "alpha");
    Service beta = start(b, "beta");
    Echo toAlpha = beta.client(a, Echo.class);
    Echo toBeta = alpha.client(b, Echo.class);
    assertThat(toAlpha.ping(new Ping("beta")).block(CALL)).isEqualTo(new Pong("alpha"));

    ETCD.stop();
    assertThat(toAlpha.ping(new Ping("beta")).block(CALL))
        .as("calls work while etcd is down")
        .isEqualTo(new Pong("alpha"));
    assertThat(toBeta.ping(new Ping("alpha")).block(CALL)).isEqualTo(new Pong("beta"));

    ETCD.restart();
    EtcdRegistry fresh = EtcdRegistry.builder().endpoints(ETCD.endpoint()).build();
    closeables.add(() -> fresh.close().block(CALL));
    await()
        .atMost(Duration.ofSeconds(20))
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
  void aStoppedInstanceStopsReceivingCalls() {
    String greeter = "greeter-" + suffix();
    Service first = start(greeter, "first");
    start(greeter, "second");
    Service caller = start("caller-" + suffix(), "caller");
    Echo echo = caller.client(greeter, Echo.class);
    List<String> answeredBy = new CopyOnWriteArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              answeredBy.add(echo.ping(new Ping("caller")).block(CALL).by());
              return answeredBy.contains("first") && answeredBy.contains("second");
            });

    first.stop();

    await()
        .atMost(Duration.ofSeconds(5))
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
            .set("vireo.registry", "etcd")
            .set("vireo.registry.etcd.endpoints", ETCD.endpoint())
            .set("vireo.registry.etcd.lease-ttl", "3s")
            .set("vireo.registry.etcd.connection-timeout", "5s")
            .set("vireo.transport", "rsocket")
            .set("vireo.codec", "json")
            .set("vireo.server.shutdown-timeout", "2s")
            .build()
            .start();
    services.add(service);
    ServiceInstance instance = service.instance().orElseThrow();
    assertThat(instance.transport()).isEqualTo("rsocket");
    return service;
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
