package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.testing.etcd.EtcdExtension;
import io.vireo.testing.kafka.KafkaExtension;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12: the packaged jar, run as a user runs it, with each documented value of {@code
 * vireo.transport}, {@code vireo.registry} and {@code vireo.broker}: plugins are configuration, so
 * every plugin module must be in the jar (and so in the Docker image, which builds this jar). One
 * JVM ({@code demo}: the four call kinds and an event) for the embedded values and the Kafka
 * broker; a greeter and a client in two JVMs for the registries that reach across processes.
 * ZooKeeper, Kafka and etcd are real (the testing module's extensions), on free ports.
 */
class PackagedJarPluginsIT {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  @TempDir Path dir;

  static Stream<Arguments> inOneJvm() {
    return Stream.of(
        Arguments.of("vireo.transport", "rsocket"),
        Arguments.of("vireo.transport", "grpc"),
        Arguments.of("vireo.transport", "memory"),
        Arguments.of("vireo.registry", "memory"),
        Arguments.of("vireo.broker", "memory"),
        Arguments.of("vireo.broker", "kafka"));
  }

  @ParameterizedTest(name = "demo with {0}={1}")
  @MethodSource("inOneJvm")
  void theDemoCallsAndPublishes(String key, String value) throws Exception {
    SampleProcess.assumePackaged();
    Map<String, String> settings = new LinkedHashMap<>(Map.of(key, value));
    settings.put(
        "vireo.client.timeout", "30s"); // a first call on a busy machine: connect, JIT, ...
    if (value.equals("kafka")) {
      settings.put("vireo.broker.kafka.bootstrap-servers", KAFKA.bootstrapServers());
    }
    try (SampleProcess demo =
        SampleProcess.java("demo", settings, dir.resolve("demo.err"), "demo")) {
      int exit = demo.await(120, TimeUnit.SECONDS);
      String output = demo.output() + "\n" + Files.readString(dir.resolve("demo.err"));
      assertThat(exit).as("exit code (-1: still running); output:\n%s", output).isZero();
      assertThat(output)
          .contains("SayHello: Hello, Ada (from greeter-")
          .contains("BidiHello: [Hi, Ada")
          .contains("event user.greeted received: Ada")
          .doesNotContain("unknown configuration key");
    }
  }

  static Stream<Arguments> acrossProcesses() {
    return Stream.of(
        Arguments.of("zookeeper", "rsocket"),
        Arguments.of("zookeeper", "grpc"),
        Arguments.of("etcd", "rsocket"),
        Arguments.of("etcd", "grpc"));
  }

  @ParameterizedTest(name = "greeter and client with vireo.registry={0}, vireo.transport={1}")
  @MethodSource("acrossProcesses")
  void aClientInAnotherProcessCallsTheGreeter(String registry, String transport) throws Exception {
    SampleProcess.assumePackaged();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("vireo.registry", registry);
    settings.put("vireo.transport", transport);
    settings.put(
        "vireo.client.timeout", "30s"); // a first call on a busy machine: connect, JIT, ...
    if (registry.equals("zookeeper")) {
      settings.put("vireo.registry.zookeeper.connect", ZK.connectString());
    } else {
      settings.put("vireo.registry.etcd.endpoints", ETCD.endpoint());
    }
    Map<String, String> greeterSettings = new LinkedHashMap<>(settings);
    Path ready = dir.resolve("greeter.ready");
    greeterSettings.put("vireo.samples.ready-file", ready.toString());
    try (SampleProcess greeter =
        SampleProcess.java("greeter", greeterSettings, dir.resolve("greeter.err"), "greeter")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> Files.exists(ready) || !greeter.process().isAlive());
      assertThat(Files.exists(ready))
          .as("greeter ready; its log:\n%s", log(greeter, "greeter.err"))
          .isTrue();
      assertThat(Files.readString(ready)).contains("serving greeter");
      try (SampleProcess client =
          SampleProcess.java(
              "client", settings, dir.resolve("client.err"), "client", "--loop", "1")) {
        int exit = client.await(90, TimeUnit.SECONDS);
        String output = log(client, "client.err");
        assertThat(exit).as("client exit code (-1: still running); output:\n%s", output).isZero();
        assertThat(output)
            .contains(
                "SayHello: Hello, Ada (from greeter-", "LotsOfGreetings: Hello, Ada, Grace, Linus");
      }
    }
  }

  /**
   * The embedded registry is one per JVM: a client in another process is told so, and which key to
   * set.
   */
  @Test
  void aClientOnTheEmbeddedRegistryIsToldItIsOnePerJvm() throws Exception {
    SampleProcess.assumePackaged();
    try (SampleProcess client =
        SampleProcess.java(
            "client",
            Map.of("vireo.client.retries", "0"),
            dir.resolve("client.err"),
            "client",
            "--loop",
            "0")) {
      int exit = client.await(90, TimeUnit.SECONDS);
      String output = log(client, "client.err");
      assertThat(exit).as("output:\n%s", output).isEqualTo(1);
      assertThat(output)
          .contains(
              "no instance of service 'greeter'",
              "one per JVM",
              "vireo.registry=zookeeper or etcd");
    }
  }

  private String log(SampleProcess process, String stderr) throws IOException {
    return process.output() + "\n" + Files.readString(dir.resolve(stderr));
  }
}
