package io.vireo.broker.kafka;

import io.vireo.broker.Broker;
import io.vireo.broker.spi.BrokerProvider;
import io.vireo.config.Config;

/**
 * Provides the {@code kafka} broker ({@code vireo.broker=kafka}), configured from the {@code
 * vireo.broker.kafka.*} keys. Loads no Kafka class before {@link #create}.
 */
public final class KafkaBrokerProvider implements BrokerProvider {
  /** The name that selects this broker. */
  public static final String NAME = "kafka";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Broker create(Config config) {
    return KafkaBroker.of(config);
  }
}
