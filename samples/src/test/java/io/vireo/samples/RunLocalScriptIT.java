package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's "done when": {@code samples/run-local.sh}, after the README's build command, starts a
 * real ZooKeeper and Kafka, two greeters and the orders flow, runs the client, prints the greeter
 * results from both instances and the whole orders flow, and stops everything it started. Bounded
 * by 3 minutes. Ports: free ones, through the environment variables the script documents.
 */
class RunLocalScriptIT {
  static final int ORDERS = 4;
  static final Pattern FROM = Pattern.compile("\\(from (greeter-[0-9a-f]{8})\\)");

  @TempDir Path dir;

  @Test
  void printsBothGreetersAndTheWholeOrdersFlowThenStopsEverything() throws Exception {
    SampleProcess.assumePackaged();
    int zookeeper = freePort();
    int kafka = freePort();
    int controller = freePort();
    Path script = Path.of("run-local.sh").toAbsolutePath();
    Map<String, String> environment =
        Map.of(
            "VIREO_SAMPLES_DEV_ENV_ZOOKEEPER_PORT", String.valueOf(zookeeper),
            "VIREO_SAMPLES_DEV_ENV_KAFKA_PORT", String.valueOf(kafka),
            "VIREO_SAMPLES_DEV_ENV_KAFKA_CONTROLLER_PORT", String.valueOf(controller),
            "TMPDIR", dir.toString());
    String output;
    int exit;
    try (SampleProcess run =
        SampleProcess.start(
            "run-local",
            List.of("bash", script.toString()),
            environment,
            dir.resolve("run-local.err"))) {
      exit = run.await(3, TimeUnit.MINUTES);
      output = run.output() + "\n" + Files.readString(dir.resolve("run-local.err"));
    }
    assertThat(exit)
        .as("exit code (-1: still running after 3 minutes); output:\n%s", output)
        .isZero();

    // the greeter results, from both instances
    assertThat(output)
        .containsPattern("SayHello: Hello, Ada " + FROM)
        .containsPattern("LotsOfReplies: \\[Hello #1, Ada " + FROM)
        .containsPattern("LotsOfGreetings: Hello, Ada, Grace, Linus " + FROM)
        .containsPattern("BidiHello: \\[Hi, Ada " + FROM);
    Set<String> greeters = new TreeSet<>();
    Matcher from = FROM.matcher(output);
    while (from.find()) {
      greeters.add(from.group(1));
    }
    assertThat(greeters).as("greeter instances that answered").hasSize(2);
    assertThat(output)
        .contains("greeter instances that answered: [" + String.join(", ", greeters) + "]");

    // the orders flow: placed, published, reserved by the inventory group, heard by the notifier
    Set<String> inventories = new TreeSet<>();
    for (int i = 1; i <= ORDERS; i++) {
      String order = "order-" + i;
      assertThat(output)
          .containsPattern(
              "PlaceOrder " + order + " \\(\\d+ x \\w+\\): accepted by orders-[0-9a-f]{8}")
          .containsPattern(
              "orders-[0-9a-f]{8}: order " + order + " placed .*, published order.placed")
          .containsPattern("notifier: order " + order + " placed ")
          .containsPattern(
              "notifier: stock reserved for order " + order + " by inventory-[0-9a-f]{8}");
      // queue group: exactly one inventory instance reserved each order
      Matcher reserved =
          Pattern.compile("(inventory-[0-9a-f]{8}): reserved \\d+ x \\w+ for order " + order + " ")
              .matcher(output);
      assertThat(reserved.find()).as("%s reserved", order).isTrue();
      inventories.add(reserved.group(1));
      assertThat(reserved.find()).as("%s reserved twice", order).isFalse();
    }
    assertThat(output).contains("--- inventory-1", "--- inventory-2", "--- notifier");
    assertThat(output)
        .containsPattern(
            "run-local: stopped dev-env greeter-1 greeter-2 orders inventory-1 inventory-2 notifier");

    // dev-env stopped ZooKeeper and Kafka: their ports are free again
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> free(zookeeper) && free(kafka) && free(controller));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
