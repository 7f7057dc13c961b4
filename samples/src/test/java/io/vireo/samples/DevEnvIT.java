package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: {@code java -jar samples/target/vireo-samples.jar dev-env}, the README's line, from the
 * repository root: a relative jar path, while the children run in the data directory. Then Kafka
 * dies: dev-env must say so, take back its ready file and exit non-zero, not stay "ready".
 */
class DevEnvIT {
  static final Pattern KAFKA_PID =
      Pattern.compile("dev-env: Kafka answers on \\S+ \\(pid (\\d+)\\)");

  @TempDir Path dir;

  @Test
  void startsFromTheRepositoryRootWithARelativeJarPathAndStopsBeingReadyWhenKafkaDies()
      throws Exception {
    SampleProcess.assumePackaged();
    Path root = SampleProcess.jar().toAbsolutePath().getParent().getParent().getParent();
    Path relativeJar = root.relativize(SampleProcess.jar().toAbsolutePath());
    assertThat(relativeJar.toString())
        .isEqualTo(Path.of("samples", "target", "vireo-samples.jar").toString());
    Path ready = dir.resolve("dev-env.ready");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m",
            "-Dvireo.samples.ready-file=" + ready,
            "-jar",
            relativeJar.toString(),
            "dev-env");
    Map<String, String> ports =
        Map.of(
            "VIREO_SAMPLES_DEV_ENV_ZOOKEEPER_PORT", String.valueOf(freePort()),
            "VIREO_SAMPLES_DEV_ENV_KAFKA_PORT", String.valueOf(freePort()),
            "VIREO_SAMPLES_DEV_ENV_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()),
            "TMPDIR", dir.toString());
    try (SampleProcess devEnv =
        SampleProcess.start("dev-env", command, ports, dir.resolve("dev-env.err"), root)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> Files.exists(ready) || !devEnv.process().isAlive());
      assertThat(Files.exists(ready)).as("ready; output:\n%s", output(devEnv)).isTrue();
      assertThat(devEnv.output())
          .contains("dev-env: ZooKeeper answers on", "dev-env ready: ZooKeeper");

      Matcher pid = KAFKA_PID.matcher(devEnv.output());
      assertThat(pid.find()).as("Kafka's pid in:\n%s", devEnv.output()).isTrue();
      ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow().destroyForcibly();

      assertThat(devEnv.await(60, TimeUnit.SECONDS))
          .as("exit code; output:\n%s", output(devEnv))
          .isEqualTo(1);
      assertThat(devEnv.output()).contains("dev-env: Kafka exited", "not ready any more");
      assertThat(ready).doesNotExist();
    }
  }

  private String output(SampleProcess process) throws IOException {
    return process.output() + "\n" + Files.readString(dir.resolve("dev-env.err"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
