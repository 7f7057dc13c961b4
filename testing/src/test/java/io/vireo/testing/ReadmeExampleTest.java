package io.vireo.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.testing.kafka.KafkaExtension;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The snippet of testing/README.md: a real ZooKeeper and a real Kafka for a test class. */
class ReadmeExampleTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  @Test
  void servicesPointAtTheRealServers() {
    Service service =
        Service.builder("orders")
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.broker", "kafka")
            .set("vireo.broker.kafka.bootstrap-servers", KAFKA.bootstrapServers())
            .build();
    assertThat(service.config().get("vireo.registry.zookeeper.connect"))
        .contains(ZK.connectString());
    assertThat(service.config().get("vireo.broker.kafka.bootstrap-servers"))
        .contains(KAFKA.bootstrapServers());
    assertThat(ZK.isRunning()).isTrue();
  }
}
