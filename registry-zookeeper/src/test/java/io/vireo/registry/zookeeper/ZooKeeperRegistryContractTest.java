package io.vireo.registry.zookeeper;

import io.vireo.registry.Registry;
import io.vireo.testing.contract.RegistryContract;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

class ZooKeeperRegistryContractTest extends RegistryContract {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @Override
  protected Registry newRegistry() {
    return ZooKeeperRegistry.builder()
        .connect(ZK.connectString())
        .sessionTimeout(Duration.ofSeconds(3))
        .connectionTimeout(Duration.ofSeconds(2))
        .build();
  }
}
