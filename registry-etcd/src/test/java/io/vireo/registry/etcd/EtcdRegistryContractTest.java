package io.vireo.registry.etcd;

import io.vireo.registry.Registry;
import io.vireo.testing.contract.RegistryContract;
import io.vireo.testing.etcd.EtcdExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdRegistryContractTest extends RegistryContract {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  @Override
  protected Registry newRegistry() {
    return EtcdRegistry.builder()
        .endpoints(ETCD.endpoint())
        .leaseTtl(Duration.ofSeconds(3))
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
  }
}
