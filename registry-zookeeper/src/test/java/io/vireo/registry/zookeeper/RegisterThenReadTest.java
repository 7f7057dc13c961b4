package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.registry.ServiceInstance;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12's flaky digestAuthLetsOthersReadButNotWrite, made deterministic: Curator delivers the
 * first CONNECTED on its event thread, and when that comes after register() (as on a busy machine),
 * x-discovery registered everything again, a delete and a create: for a moment the instance was
 * gone. Here Curator's threads start only once register() returned; the instance must then stay the
 * one register() wrote (same creation zxid) and never vanish.
 */
class RegisterThenReadTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @Test
  void anInstanceRegisteredBeforeTheFirstConnectedEventIsNotWrittenAgain() throws Exception {
    String service = "late-" + UUID.randomUUID().toString().substring(0, 8);
    CountDownLatch registered = new CountDownLatch(1);
    // Curator's threads (its connection-state event thread among them) start only once
    // register() returned: the first CONNECTED is delivered late, as on a busy machine
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(ZK.connectString())
            .sessionTimeoutMs(15_000)
            .connectionTimeoutMs(5_000)
            .retryPolicy(new RetryOneTime(100))
            .threadFactory(
                task ->
                    new Thread(
                        () -> {
                          try {
                            registered.await(20, TimeUnit.SECONDS);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                          }
                          task.run();
                        },
                        "late-curator"))
            .build();
    ZooKeeperRegistry registry = ZooKeeperRegistry.builder().client(client).build();
    try (CuratorFramework reader =
        CuratorFrameworkFactory.newClient(
            ZK.connectString(), 15_000, 5_000, new RetryOneTime(100))) {
      reader.start();
      String path = "/services/" + service + "/i-1";
      registry
          .register(
              new ServiceInstance(
                  service, "i-1", "127.0.0.1", 7400, "rsocket", "1.0.0", 100, Map.of(), List.of()))
          .block(Duration.ofSeconds(20));
      Stat written = reader.checkExists().forPath(path);
      assertThat(written).as("readable by another client once register() returned").isNotNull();
      registered
          .countDown(); // now the CONNECTED event reaches the other listeners, discovery's among
      // them

      // a re-registration would show as another creation zxid (or a moment without the node)
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Stat now = reader.checkExists().forPath(path);
                assertThat(now).isNotNull();
                assertThat(now.getCzxid()).isEqualTo(written.getCzxid());
              });
      assertThat(registry.instances(service).block(Duration.ofSeconds(10)))
          .extracting(ServiceInstance::id)
          .containsExactly("i-1");
    } finally {
      registered.countDown();
      registry.close().block(Duration.ofSeconds(10));
      client.close();
    }
  }
}
