package io.vireo.broker.kafka;

import io.vireo.broker.Broker;
import io.vireo.testing.contract.BrokerContract;
import io.vireo.testing.kafka.KafkaExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerContractTest extends BrokerContract {
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker =
        KafkaBroker.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .publishTimeout(Duration.ofSeconds(20))
            .build();
  }

  @AfterAll
  static void closeBroker() {
    broker.close().block(Duration.ofSeconds(30));
  }

  @Override
  protected Broker broker() {
    return broker;
  }
}
