package io.vireo.deploy;

import static io.vireo.deploy.Manifests.assertProbe;
import static io.vireo.deploy.Manifests.container;
import static io.vireo.deploy.Manifests.containerPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vireo.Service;
import io.vireo.config.Values;
import io.vireo.observability.Tracing;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.zookeeper.ZooKeeperRegistry;
import io.vireo.samples.greeter.GreeterImpl;
import io.vireo.samples.greeter.proto.Greeter;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/kubernetes against the program, without a cluster: every overlay renders; what the
 * manifests say (ports, probe paths, env, args, the ConfigMap's vireo.yaml, the preStop hook, the
 * grace period) is checked by running the samples jar as the greeter's container would run it, on a
 * real ZooKeeper.
 */
class KubernetesManifestsIT {
  private static final Path KUBERNETES =
      Path.of(System.getProperty("vireo.deploy.kubernetes", "kubernetes"));
  private static final Path DOCKERFILE =
      Path.of(System.getProperty("vireo.deploy.dockerfile", "../docker/Dockerfile"));
  private static final Path SAMPLES_JAR =
      Path.of(System.getProperty("vireo.samples.jar", "../samples/target/vireo-samples.jar"));
  private static final Path GATEWAY_JAR =
      Path.of(System.getProperty("vireo.gateway.jar", "../gateway/target/vireo-gateway.jar"));
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern FROM = Pattern.compile("\\(from ([^)]+)\\)");
  private static final ObjectMapper JSON = Manifests.json();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  /** Each run's working directory, vireo.yaml and logs, kept for a look after a failure. */
  private final Path work = Path.of("target", "deploy-it");

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
  void rendersEveryPart(String dir) {
    Manifests manifests = Manifests.render(KUBERNETES.resolve(dir));
    for (String[] part :
        new String[][] {
          {"Deployment", "greeter"},
          {"Service", "greeter"},
          {"PodDisruptionBudget", "greeter"},
          {"HorizontalPodAutoscaler", "greeter"},
          {"StatefulSet", "zookeeper"},
          {"Service", "zookeeper"},
          {"Service", "zookeeper-headless"},
          {"PodDisruptionBudget", "zookeeper"},
          {"StatefulSet", "kafka"},
          {"Service", "kafka"},
          {"Service", "kafka-headless"},
          {"Deployment", "gateway"},
          {"Service", "gateway"}
        }) {
      manifests.get(part[0], part[1]);
    }
    JsonNode config = manifests.mountedConfigMap(manifests.get("Deployment", "greeter"), "config");
    assertThat(config.at("/metadata/name").asText()).startsWith("greeter-config-");
    assertThat(config.at("/data/vireo.yaml").asText()).contains("vireo:");
    assertThat(
            manifests
                .get("HorizontalPodAutoscaler", "greeter")
                .at("/spec/scaleTargetRef/name")
                .asText())
        .isEqualTo("greeter");
  }

  @Test
  void devRunsOneOfEverything() {
    Manifests dev = Manifests.render(KUBERNETES.resolve("overlays/dev"));
    for (String[] workload :
        new String[][] {
          {"Deployment", "greeter"},
          {"Deployment", "gateway"},
          {"StatefulSet", "zookeeper"},
          {"StatefulSet", "kafka"}
        }) {
      assertThat(dev.get(workload[0], workload[1]).at("/spec/replicas").asInt())
          .as(workload[1])
          .isEqualTo(1);
    }
    assertThat(dev.get("HorizontalPodAutoscaler", "greeter").at("/spec/maxReplicas").asInt())
        .isEqualTo(1);
    assertEnsembleMatchesReplicas(dev);
  }

  @Test
  void prodRunsAZooKeeperEnsembleAndAKafkaQuorumOfThree() {
    Manifests prod = Manifests.render(KUBERNETES.resolve("overlays/prod"));
    assertThat(prod.get("StatefulSet", "zookeeper").at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(prod.get("StatefulSet", "kafka").at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(prod.get("Deployment", "greeter").at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(prod.get("HorizontalPodAutoscaler", "greeter").at("/spec/minReplicas").asInt())
        .isEqualTo(3);
    assertEnsembleMatchesReplicas(prod);
  }

  /** Every ZooKeeper and Kafka pod is in the ensemble or quorum, and nothing else is. */
  private static void assertEnsembleMatchesReplicas(Manifests manifests) {
    JsonNode zookeeper = manifests.get("StatefulSet", "zookeeper");
    int zkReplicas = zookeeper.at("/spec/replicas").asInt();
    String servers = Manifests.env(container(zookeeper, "zookeeper"), "-").get("ZOO_SERVERS");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < zkReplicas; i++) {
      expected.add("server." + (i + 1) + "=zookeeper-" + i + ".zookeeper-headless:2888:3888;2181");
    }
    assertThat(servers.trim().split("\\s+")).containsExactlyElementsOf(expected);
    JsonNode kafka = manifests.get("StatefulSet", "kafka");
    int kafkaReplicas = kafka.at("/spec/replicas").asInt();
    Map<String, String> env = Manifests.env(container(kafka, "kafka"), "-");
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < kafkaReplicas; i++) {
      voters.add(i + "@kafka-" + i + ".kafka-headless:9093");
    }
    assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(","))
        .containsExactlyElementsOf(voters);
    for (String key :
        List.of(
            "KAFKA_DEFAULT_REPLICATION_FACTOR",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
            "KAFKA_MIN_INSYNC_REPLICAS")) {
      assertThat(Integer.parseInt(env.get(key))).as(key).isBetween(1, kafkaReplicas);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"overlays/dev", "overlays/prod"})
  void probesPortsAndAddressesAgreeWithTheServicesConfiguration(String overlay) {
    Manifests manifests = Manifests.render(KUBERNETES.resolve(overlay));
    for (String name : List.of("greeter", "gateway")) {
      JsonNode deployment = manifests.get("Deployment", name);
      JsonNode container = container(deployment, name);
      Map<String, String> env = Manifests.env(container, "10.0.0.1");
      Map<String, String> yaml =
          Manifests.flatten(
              manifests.mountedConfigMap(deployment, "config").at("/data/vireo.yaml").asText());
      assertProbe(container, "startupProbe", "/health/startup");
      assertProbe(container, "livenessProbe", "/health/live");
      assertProbe(container, "readinessProbe", "/health/ready");
      int admin = containerPort(container, "admin");
      assertThat(effective("vireo.admin.port", env, yaml))
          .as(name + " vireo.admin.port")
          .isEqualTo(String.valueOf(admin));
      assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
          .isEqualTo(String.valueOf(admin));
      assertThat(container.path("workingDir").asText())
          .as(name + ": vireo.yaml is read from the working directory")
          .isEqualTo(mountPath(container, "config"));
      Duration shutdown =
          Values.parseDuration(
              "vireo.server.shutdown-timeout",
              effective("vireo.server.shutdown-timeout", env, yaml));
      long preStopWait = Long.parseLong(env.getOrDefault("PRESTOP_DRAIN_SECONDS", "0"));
      long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
      assertThat(grace)
          .as(
              name
                  + ": terminationGracePeriodSeconds > preStop wait + vireo.server.shutdown-timeout")
          .isGreaterThan(preStopWait + shutdown.toSeconds());
      for (String address :
          List.of(
              effective("vireo.registry.zookeeper.connect", env, yaml),
              effective("vireo.broker.kafka.bootstrap-servers", env, yaml))) {
        for (String hostPort : address.split(",")) {
          String[] parts = hostPort.split(":");
          JsonNode service = manifests.get("Service", parts[0]);
          assertThat(service.at("/spec/ports").findValuesAsText("port"))
              .as(hostPort)
              .contains(parts[1]);
        }
      }
    }
    JsonNode greeter = container(manifests.get("Deployment", "greeter"), "greeter");
    Map<String, String> yaml =
        Manifests.flatten(
            manifests
                .mountedConfigMap(manifests.get("Deployment", "greeter"), "config")
                .at("/data/vireo.yaml")
                .asText());
    assertThat(String.valueOf(containerPort(greeter, "rpc")))
        .isEqualTo(effective("vireo.server.port", Manifests.env(greeter, "-"), yaml));
    assertThat(manifests.get("Service", "greeter").at("/spec/ports").findValuesAsText("targetPort"))
        .contains("rpc", "admin");
    JsonNode gateway = container(manifests.get("Deployment", "gateway"), "gateway");
    Map<String, String> gatewayYaml =
        Manifests.flatten(
            manifests
                .mountedConfigMap(manifests.get("Deployment", "gateway"), "config")
                .at("/data/vireo.yaml")
                .asText());
    assertThat(String.valueOf(containerPort(gateway, "http")))
        .isEqualTo(effective("vireo.gateway.port", Manifests.env(gateway, "-"), gatewayYaml));
    assertThat(manifests.get("Service", "gateway").at("/spec/ports").findValuesAsText("targetPort"))
        .contains("http");
  }

  @Test
  void theGreeterRunAsItsContainerAnswersEveryProbeAndPreStopTakesItOutOfZooKeeperFirst()
      throws Exception {
    Manifests prod = Manifests.render(KUBERNETES.resolve("overlays/prod"));
    JsonNode deployment = prod.get("Deployment", "greeter");
    JsonNode container = container(deployment, "greeter");
    assertThat(withoutImageAndResources(container))
        .as("dev's greeter runs as prod's, with other resources and image tag")
        .isEqualTo(
            withoutImageAndResources(
                container(
                    Manifests.render(KUBERNETES.resolve("overlays/dev"))
                        .get("Deployment", "greeter"),
                    "greeter")));
    int adminPort = freePort();
    int serverPort = freePort();
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("VIREO_ADMIN_PORT", String.valueOf(adminPort));
    overrides.put("VIREO_SERVER_PORT", String.valueOf(serverPort));
    overrides.put("VIREO_SERVER_HOST", "127.0.0.1");
    overrides.put("VIREO_ADMIN_HOST", "127.0.0.1");
    overrides.put("VIREO_REGISTRY_ZOOKEEPER_CONNECT", ZK.connectString());
    overrides.put("VIREO_REGISTRY_ZOOKEEPER_SESSION_TIMEOUT", "4s");
    overrides.put("VIREO_LOG_LEVEL", "DEBUG");
    Run greeter =
        Run.start(
            work.resolve("greeter"),
            deployment,
            container,
            prod,
            entrypoint(),
            SAMPLES_JAR,
            overrides);
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    Service other =
        zk(Service.builder("greeter").handle(Greeter.class, new GreeterImpl("in-test-greeter")))
            .build()
            .start();
    Service client =
        zk(Service.builder("deploy-client"))
            .wrap(
                Tracing.of(
                    OpenTelemetrySdk.builder()
                        .setTracerProvider(
                            SdkTracerProvider.builder()
                                .addSpanProcessor(SimpleSpanProcessor.create(spans))
                                .build())
                        .build()))
            .build()
            .start();
    try {
      greeter.awaitStatus("/health/startup", 200);
      greeter.awaitStatus("/health/live", 200);
      greeter.awaitStatus("/health/ready", 200);
      assertThat(greeter.get("/metrics").statusCode()).isEqualTo(200);
      assertThat(greeter.get("/info").body()).contains("\"registry\":\"zookeeper\"");
      try (Socket rpc = new Socket()) {
        rpc.connect(new InetSocketAddress("127.0.0.1", serverPort), 5000);
      }
      String jarId =
          await()
              .atMost(WAIT)
              .until(
                  () ->
                      instances("greeter").stream()
                          .filter(i -> i.port() == serverPort)
                          .map(ServiceInstance::id)
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      Greeter greeters = client.client("greeter", Greeter.class);
      await().atMost(WAIT).until(() -> answeredBy(greeters, 10).contains(jarId));

      Process preStop = greeter.preStop();
      await()
          .atMost(WAIT)
          .until(() -> instances("greeter").stream().noneMatch(i -> i.id().equals(jarId)));
      greeter.awaitStatus("/health/ready", 503);
      await().atMost(WAIT).until(() -> answeredBy(greeters, 10).equals(Set.of("in-test-greeter")));
      assertThat(greeter.process.isAlive())
          .as("the greeter still runs while clients have stopped calling it")
          .isTrue();
      assertThat(preStop.isAlive()).as("preStop still waits (PRESTOP_DRAIN_SECONDS)").isTrue();
      assertThat(preStop.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(new String(preStop.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .startsWith("HTTP/1.1 200");

      greeter.process.destroy(); // SIGTERM, as the kubelet sends after preStop
      long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
      assertThat(greeter.process.waitFor(grace, TimeUnit.SECONDS))
          .as("stopped within terminationGracePeriodSeconds")
          .isTrue();

      List<JsonNode> lines = greeter.jsonLogLines();
      assertThat(lines)
          .isNotEmpty()
          .allSatisfy(
              line ->
                  assertThat(line.at("/context/properties/service").asText()).isEqualTo("greeter"));
      Set<String> clientTraces =
          spans.getFinishedSpanItems().stream()
              .map(SpanData::getTraceId)
              .collect(Collectors.toSet());
      assertThat(
              lines.stream()
                  .map(line -> line.at("/mdc/trace_id").asText())
                  .filter(id -> !id.isEmpty()))
          .as("log lines of served calls carry the caller's trace id")
          .isNotEmpty()
          .allMatch(clientTraces::contains);
    } finally {
      client.stop();
      other.stop();
      greeter.kill();
    }
  }

  @Test
  void theGatewayRunAsItsContainerAnswersEveryProbe() throws Exception {
    assumeTrue(
        Files.isRegularFile(GATEWAY_JAR), "no " + GATEWAY_JAR + " (the gateway module builds it)");
    Manifests prod = Manifests.render(KUBERNETES.resolve("overlays/prod"));
    JsonNode deployment = prod.get("Deployment", "gateway");
    JsonNode container = container(deployment, "gateway");
    int httpPort = freePort();
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("VIREO_ADMIN_PORT", String.valueOf(freePort()));
    overrides.put("VIREO_ADMIN_HOST", "127.0.0.1");
    overrides.put("VIREO_SERVER_HOST", "127.0.0.1");
    overrides.put("VIREO_GATEWAY_HOST", "127.0.0.1");
    overrides.put("VIREO_GATEWAY_PORT", String.valueOf(httpPort));
    overrides.put("VIREO_REGISTRY_ZOOKEEPER_CONNECT", ZK.connectString());
    List<String> command = new ArrayList<>();
    container.path("command").forEach(part -> command.add(part.asText()));
    Run gateway =
        Run.start(
            work.resolve("gateway"), deployment, container, prod, command, GATEWAY_JAR, overrides);
    try {
      gateway.awaitStatus("/health/startup", 200);
      gateway.awaitStatus("/health/live", 200);
      gateway.awaitStatus("/health/ready", 200);
      try (Socket http = new Socket()) {
        http.connect(new InetSocketAddress("127.0.0.1", httpPort), 5000);
      }
      gateway.process.destroy();
      assertThat(
              gateway.process.waitFor(
                  deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong(),
                  TimeUnit.SECONDS))
          .isTrue();
    } finally {
      gateway.kill();
    }
  }

  /** The samples image's ENTRYPOINT (docker/Dockerfile), which the greeter's args follow. */
  private static List<String> entrypoint() throws IOException {
    for (String line : Files.readAllLines(DOCKERFILE)) {
      if (line.startsWith("ENTRYPOINT ")) {
        List<String> entrypoint = new ArrayList<>();
        JSON.readTree(line.substring("ENTRYPOINT ".length()))
            .forEach(part -> entrypoint.add(part.asText()));
        return entrypoint;
      }
    }
    throw new AssertionError(DOCKERFILE + " has no ENTRYPOINT");
  }

  private static String effective(String key, Map<String, String> env, Map<String, String> yaml) {
    String variable = key.toUpperCase().replace('.', '_').replace('-', '_');
    String value = env.getOrDefault(variable, yaml.get(key));
    assertThat(value).as(key + " (env " + variable + " or vireo.yaml)").isNotNull();
    return value;
  }

  private static JsonNode withoutImageAndResources(JsonNode container) {
    ObjectNode copy = container.deepCopy();
    copy.remove(List.of("image", "resources"));
    return copy;
  }

  private static String mountPath(JsonNode container, String volume) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("name").asText().equals(volume)) {
        return mount.path("mountPath").asText();
      }
    }
    throw new AssertionError(container.path("name").asText() + " does not mount " + volume);
  }

  private static Set<String> answeredBy(Greeter greeter, int calls) {
    Set<String> who = new TreeSet<>();
    for (int i = 0; i < calls; i++) {
      HelloReply reply =
          greeter
              .sayHello(HelloRequest.newBuilder().setName("k8s").build())
              .block(Duration.ofSeconds(10));
      Matcher matcher = FROM.matcher(reply == null ? "" : reply.getMessage());
      if (matcher.find()) {
        who.add(matcher.group(1));
      }
    }
    return who;
  }

  private static List<ServiceInstance> instances(String service) {
    Registry registry = ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
    try {
      return registry.instances(service).block(Duration.ofSeconds(20));
    } finally {
      registry.close().block(Duration.ofSeconds(20));
    }
  }

  private static Service.Builder zk(Service.Builder builder) {
    return builder
        .set("vireo.registry", "zookeeper")
        .set("vireo.registry.zookeeper.connect", ZK.connectString())
        .set("vireo.registry.zookeeper.session-timeout", "4s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * A container's program, run here: its command, env (with overrides), working directory and
   * vireo.yaml.
   */
  private static final class Run {
    final Process process;
    final Map<String, String> env;
    final JsonNode container;
    final Path stderr;
    final int adminPort;

    private Run(Process process, Map<String, String> env, JsonNode container, Path stderr) {
      this.process = process;
      this.env = env;
      this.container = container;
      this.stderr = stderr;
      this.adminPort = Integer.parseInt(env.get("VIREO_ADMIN_PORT"));
    }

    static Run start(
        Path dir,
        JsonNode deployment,
        JsonNode container,
        Manifests manifests,
        List<String> entrypoint,
        Path jar,
        Map<String, String> overrides)
        throws IOException {
      assertThat(jar)
          .as("the jar the container runs (build it: ./mvnw -pl samples -am package)")
          .isRegularFile();
      Manifests.writeTo(
          dir.resolve("vireo.yaml"),
          manifests.mountedConfigMap(deployment, "config").at("/data/vireo.yaml").asText());
      List<String> command = new ArrayList<>();
      for (String part : entrypoint) {
        command.add(part.startsWith("/app/") ? jar.toAbsolutePath().toString() : part);
      }
      assertThat(command.get(0)).isEqualTo("java");
      command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add(1, "-Xmx256m");
      container.path("args").forEach(arg -> command.add(arg.asText()));
      Map<String, String> env = new LinkedHashMap<>(Manifests.env(container, "127.0.0.1"));
      env.putAll(overrides);
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
      builder
          .environment()
          .keySet()
          .removeIf(name -> name.startsWith("VIREO_") || name.equals("JAVA_TOOL_OPTIONS"));
      builder.environment().putAll(env);
      Path stderr = dir.resolve("stderr.log");
      builder.redirectError(stderr.toFile()).redirectOutput(dir.resolve("stdout.log").toFile());
      return new Run(builder.start(), env, container, stderr);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
              .timeout(Duration.ofSeconds(5))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    void awaitStatus(String path, int status) {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(process.isAlive())
                    .as("the process runs (stderr: " + stderr + ")")
                    .isTrue();
                assertThat(get(path).statusCode()).as(path).isEqualTo(status);
              });
    }

    /** The container's preStop command, with the container's env. */
    Process preStop() throws IOException {
      List<String> command = new ArrayList<>();
      container.at("/lifecycle/preStop/exec/command").forEach(part -> command.add(part.asText()));
      assertThat(command).as("preStop").isNotEmpty();
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      return builder.start();
    }

    List<JsonNode> jsonLogLines() throws IOException {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(stderr)) {
        if (!line.isBlank() && !line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
          lines.add(JSON.readTree(line));
        }
      }
      return lines;
    }

    void kill() {
      process.destroyForcibly();
    }
  }
}
