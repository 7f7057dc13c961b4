package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The samples' logback.xml (issue 12): Vireo at INFO, Kafka's config dumps and Netty's DEBUG quiet,
 * the per-reconnect lines of Kafka's and ZooKeeper's clients at ERROR.
 */
class LoggingDefaultsTest {
  private static Level level(String name) {
    return ((Logger) LoggerFactory.getLogger(name)).getEffectiveLevel();
  }

  @Test
  void vireoSpeaksAndTheLibrariesAreQuiet() {
    assertThat(LoggerFactory.getILoggerFactory())
        .isInstanceOf(ch.qos.logback.classic.LoggerContext.class);
    assertThat(level("io.vireo.internal.runtime.ServiceRuntime")).isEqualTo(Level.INFO);
    assertThat(level("org.apache.kafka.clients.producer.ProducerConfig")).isEqualTo(Level.WARN);
    assertThat(level("org.apache.kafka.clients.NetworkClient")).isEqualTo(Level.ERROR);
    assertThat(level("org.apache.zookeeper.ClientCnxn")).isEqualTo(Level.ERROR);
    assertThat(level("io.netty.channel.DefaultChannelPipeline")).isEqualTo(Level.WARN);
    assertThat(level("org.apache.curator.framework.imps.CuratorFrameworkImpl"))
        .isEqualTo(Level.WARN);
  }
}
