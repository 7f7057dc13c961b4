package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.config.Config;
import io.vireo.samples.devenv.DevEnv;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.Version;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/docker-compose.yml runs what samples/run-local.sh runs without Docker: the same samples
 * with the same commands and the same {@code vireo.*} settings (only the addresses differ), on the
 * ZooKeeper and Kafka versions and settings of {@code dev-env}; and it validates.
 */
class SamplesComposeTest {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  static final Path COMPOSE = ROOT.resolve("docker/docker-compose.yml");
  static final Path SCRIPT = ROOT.resolve("samples/run-local.sh");

  /** Where a service finds the others: differs between loopback and a compose network. */
  static final Set<String> ADDRESSES =
      Set.of(
          "VIREO_REGISTRY_ZOOKEEPER_CONNECT",
          "VIREO_BROKER_KAFKA_BOOTSTRAP_SERVERS",
          "VIREO_SERVER_HOST",
          "VIREO_SERVER_ADVERTISE_HOST",
          "VIREO_SAMPLES_READY_FILE");

  static final Pattern SAMPLE_LINE =
      Pattern.compile(
          "^(start|run) (\\S+) (\\S+)((?: [a-z][\\w.-]*=\\S+)*)(?: \\|\\|.*)?$", Pattern.MULTILINE);

  record Sample(String name, String command, Map<String, String> settings) {}

  @Test
  void everySampleServiceRunsTheScriptsCommandWithTheScriptsSettings() throws IOException {
    Map<String, Sample> script = scriptSamples();
    Map<String, Object> services = services();
    Map<String, Sample> compose = new TreeMap<>();
    services.forEach(
        (name, value) -> {
          Map<String, Object> service = map(value);
          if (String.valueOf(service.get("image")).startsWith("vireo-samples:")) {
            List<?> command = (List<?>) service.get("command");
            assertThat(command).as("%s's command", name).hasSize(1);
            compose.put(
                name,
                new Sample(
                    name,
                    String.valueOf(command.get(0)),
                    vireoSettings(map(service.get("environment")))));
          }
        });
    assertThat(script)
        .as("the script's samples")
        .containsOnlyKeys(
            "greeter-1", "greeter-2", "orders", "inventory-1", "inventory-2", "notifier", "client");
    assertThat(compose.keySet()).as("the compose file's samples").isEqualTo(script.keySet());
    for (Sample expected : script.values()) {
      Sample actual = compose.get(expected.name());
      assertThat(actual.command())
          .as("%s's command", expected.name())
          .isEqualTo(expected.command());
      assertThat(actual.settings().keySet())
          .as("%s's settings", expected.name())
          .isEqualTo(expected.settings().keySet());
      expected
          .settings()
          .forEach(
              (key, value) -> {
                if (!ADDRESSES.contains(key)) {
                  assertThat(actual.settings().get(key))
                      .as("%s: %s", expected.name(), key)
                      .isEqualTo(value);
                }
              });
      // the addresses point at the compose services
      assertThat(actual.settings())
          .containsEntry("VIREO_REGISTRY_ZOOKEEPER_CONNECT", "zookeeper:2181")
          .containsEntry("VIREO_BROKER_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
          .containsEntry("VIREO_SERVER_HOST", "0.0.0.0")
          .containsEntry("VIREO_SERVER_ADVERTISE_HOST", expected.name());
    }
  }

  @Test
  void theSamplesStartWhenWhatTheyNeedIsHealthy() throws IOException {
    Map<String, Object> services = services();
    for (String infrastructure : List.of("zookeeper", "kafka")) {
      assertThat(map(services.get(infrastructure))).as(infrastructure).containsKey("healthcheck");
    }
    Map<String, Sample> script = scriptSamples();
    for (Sample sample : script.values()) {
      Map<String, Object> service = map(services.get(sample.name()));
      Map<String, Object> dependsOn = map(service.get("depends_on"));
      boolean longRunning = sample.settings().containsKey("VIREO_SAMPLES_READY_FILE");
      if (longRunning) {
        assertThat(map(service.get("healthcheck")).get("test"))
            .as(sample.name())
            .isEqualTo(
                List.of(
                    "CMD",
                    "test",
                    "-f",
                    map(service.get("environment")).get("VIREO_SAMPLES_READY_FILE")));
        assertThat(dependsOn).as(sample.name()).containsOnlyKeys("zookeeper", "kafka");
      } else {
        // the client: after every long-running sample
        List<String> others =
            script.values().stream()
                .filter(other -> other.settings().containsKey("VIREO_SAMPLES_READY_FILE"))
                .map(Sample::name)
                .toList();
        assertThat(dependsOn.keySet())
            .as(sample.name())
            .containsExactlyInAnyOrderElementsOf(others);
      }
      dependsOn.forEach(
          (name, condition) ->
              assertThat(map(condition))
                  .as("%s depends on %s", sample.name(), name)
                  .containsEntry("condition", "service_healthy"));
    }
    assertThat(map(map(services.get("greeter-1")).get("build")))
        .containsEntry("context", "..")
        .containsEntry("dockerfile", "docker/Dockerfile");
  }

  @Test
  void zooKeeperAndKafkaAreDevEnvsVersionsAndSettings() throws IOException {
    Map<String, Object> services = services();
    DevEnv devEnv =
        DevEnv.of(Config.of(Map.of()), new PrintStream(OutputStream.nullOutputStream()));

    Map<String, Object> zookeeper = map(services.get("zookeeper"));
    assertThat(zookeeper.get("image"))
        .isEqualTo("zookeeper:" + Version.getFullVersion().split("-")[0]);
    Map<String, Object> zooEnv = map(zookeeper.get("environment"));
    assertThat(zooEnv).containsEntry("ZOO_TICK_TIME", devEnv.zookeeperSettings().get("tickTime"));

    Map<String, Object> kafka = map(services.get("kafka"));
    assertThat(kafka.get("image")).isEqualTo("apache/kafka:" + kafkaVersion());
    Map<String, Object> kafkaEnv = map(kafka.get("environment"));
    Set<String> addresses = Set.of("controller.quorum.voters", "listeners", "advertised.listeners");
    devEnv
        .kafkaSettings()
        .forEach(
            (key, value) -> {
              String variable = "KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
              assertThat(kafkaEnv).as("kafka's environment").containsKey(variable);
              if (!addresses.contains(key)) {
                assertThat(String.valueOf(kafkaEnv.get(variable))).as(variable).isEqualTo(value);
              }
            });
    assertThat(kafkaEnv)
        .containsEntry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092")
        .containsEntry("KAFKA_HEAP_OPTS", "-Xmx256m");
  }

  @Test
  void theComposeFileValidates() throws Exception {
    Path dockerCompose = findOnPath("docker-compose");
    if (dockerCompose == null) {
      System.out.println(
          "SKIPPED: docker-compose is not installed, so docker/docker-compose.yml was not validated"
              + " (apt-get install --no-install-recommends docker-compose; .ci/run does)");
      Assumptions.abort("docker-compose is not installed");
    }
    Process process =
        new ProcessBuilder(dockerCompose.toString(), "-f", COMPOSE.toString(), "config", "-q")
            .redirectErrorStream(true)
            .start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
    assertThat(process.exitValue()).as("docker-compose config: %s", output).isZero();
  }

  /** The {@code start}/{@code run} lines of the script, each with SETTINGS and its own settings. */
  static Map<String, Sample> scriptSamples() throws IOException {
    String text = Files.readString(SCRIPT, StandardCharsets.UTF_8);
    Matcher block =
        Pattern.compile("^SETTINGS=\\(\\n(.*?)^\\)", Pattern.MULTILINE | Pattern.DOTALL)
            .matcher(text);
    assertThat(block.find()).as("SETTINGS=( ... ) in %s", SCRIPT).isTrue();
    List<String> common = new ArrayList<>();
    for (String line : block.group(1).split("\n")) {
      if (!line.isBlank()) {
        common.add(line.trim());
      }
    }
    assertThat(text)
        .as("start() gives a ready file")
        .contains("\"-Dvireo.samples.ready-file=$WORK/$name.ready\"");
    Map<String, Sample> samples = new TreeMap<>();
    Matcher line = SAMPLE_LINE.matcher(text);
    while (line.find()) {
      Map<String, String> settings = new LinkedHashMap<>();
      List<String> all = new ArrayList<>(common);
      all.addAll(
          List.of(line.group(4).trim().split(" ")).stream().filter(s -> !s.isEmpty()).toList());
      if (line.group(1).equals("start")) {
        all.add("vireo.samples.ready-file=$WORK/" + line.group(2) + ".ready");
      }
      for (String setting : all) {
        int equals = setting.indexOf('=');
        settings.put(environmentName(setting.substring(0, equals)), setting.substring(equals + 1));
      }
      samples.put(line.group(2), new Sample(line.group(2), line.group(3), settings));
    }
    return samples;
  }

  /**
   * SmallRye's mapping: {@code vireo.registry.zookeeper.session-timeout} is {@code
   * VIREO_REGISTRY_ZOOKEEPER_SESSION_TIMEOUT}.
   */
  static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private static Map<String, String> vireoSettings(Map<String, Object> environment) {
    Map<String, String> settings = new TreeMap<>();
    environment.forEach(
        (key, value) -> {
          if (key.startsWith("VIREO_")) {
            settings.put(key, String.valueOf(value));
          }
        });
    return settings;
  }

  static Map<String, Object> services() throws IOException {
    try (InputStream in = Files.newInputStream(COMPOSE)) {
      Map<String, Object> compose = new Yaml().load(in);
      return map(compose.get("services"));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  /** The kafka-clients version on the classpath: the broker's too (one {@code kafka.version}). */
  private static String kafkaVersion() throws IOException {
    Properties properties = new Properties();
    try (InputStream in =
        SamplesComposeTest.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      assertThat(in).as("kafka-clients' version file").isNotNull();
      properties.load(in);
    }
    return properties.getProperty("version");
  }

  private static Path findOnPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
