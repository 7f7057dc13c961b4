package io.vireo.testing.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One in-process KRaft node (broker and controller) on loopback ports in a temporary directory. */
final class EmbeddedKafka implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path dir;
  private final Properties properties;
  private final String bootstrapServers;
  private Optional<KafkaRaftServer> server = Optional.empty();

  private EmbeddedKafka(Path dir, Properties properties, String bootstrapServers) {
    this.dir = dir;
    this.properties = properties;
    this.bootstrapServers = bootstrapServers;
  }

  /** Formats a new log directory and starts a node in it. */
  static EmbeddedKafka started(Map<String, String> overrides) {
    try {
      Path dir = Files.createTempDirectory("vireo-kafka-");
      int port = freePort();
      int controllerPort = freePort();
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      props.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
      props.put("log.dirs", dir.resolve("logs").toString());
      props.put("offsets.topic.replication.factor", "1");
      // fewer partitions than the default 50: the offsets topic is created on first group use
      props.put("offsets.topic.num.partitions", "3");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "3");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("log.index.size.max.bytes", String.valueOf(1 << 20));
      props.putAll(overrides);

      Path propsFile = dir.resolve("server.properties");
      try (Writer writer = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
        props.store(writer, "Vireo test broker");
      }
      int formatted =
          StorageTool.execute(
              new String[] {
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                propsFile.toString(),
                "--ignore-formatted"
              },
              new PrintStream(OutputStream.nullOutputStream()));
      if (formatted != 0) {
        throw new IllegalStateException(
            "kafka storage format failed with exit code " + formatted + " in " + dir);
      }
      EmbeddedKafka kafka = new EmbeddedKafka(dir, props, "127.0.0.1:" + port);
      kafka.start(Duration.ofSeconds(60));
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a Kafka log directory", e);
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  synchronized void start(Duration readyWithin) {
    if (server.isPresent()) {
      return;
    }
    KafkaRaftServer started =
        new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    started.startup();
    server = Optional.of(started);
    awaitReady(readyWithin);
    logger.info("Kafka test broker listening on {} (data in {})", bootstrapServers, dir);
  }

  synchronized void stop() {
    server.ifPresent(
        running -> {
          running.shutdown();
          running.awaitShutdown();
        });
    server = Optional.empty();
  }

  @Override
  public synchronized void close() {
    stop();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      logger.warn("cannot delete the Kafka test directory {}", dir, e);
    }
  }

  /** Waits until the node answers a metadata request with itself as a live broker. */
  private void awaitReady(Duration within) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                String.valueOf(within.toMillis())))) {
      int brokers =
          admin.describeCluster().nodes().get(within.toMillis(), TimeUnit.MILLISECONDS).size();
      if (brokers == 0) {
        throw new IllegalStateException(
            "Kafka test broker on " + bootstrapServers + " reports no live broker");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for Kafka on " + bootstrapServers, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka test broker on " + bootstrapServers + " did not come up", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
