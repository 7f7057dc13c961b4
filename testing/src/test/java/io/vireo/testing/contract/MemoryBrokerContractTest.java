package io.vireo.testing.contract;

import io.vireo.broker.Broker;
import io.vireo.broker.memory.MemoryBroker;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class MemoryBrokerContractTest extends BrokerContract {
  private static MemoryBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = MemoryBroker.newStore(MemoryBroker.DEFAULT_CAPACITY);
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
