package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.registry.ServiceInstance;
import io.vireo.registry.zookeeper.ZooKeeperRegistry;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's failover check, on the samples jar: two greeter processes registered in a real
 * ZooKeeper, the client looping SayHello; one greeter is killed (no goodbye: SIGKILL). After a few
 * calls every answer comes from the survivor and none fails, and the registry drops the dead
 * instance when its session (4s) expires.
 */
class GreeterFailoverIT {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  static final int LOOP = 100;

  /**
   * Calls after the kill that may still fail (none should: the client retries on another instance).
   */
  static final int GRACE = 3;

  static final Pattern LOOP_LINE =
      Pattern.compile("SayHello (\\d+)/" + LOOP + "(: .*\\(from ([^)]+)\\)| failed: .*)");

  @TempDir Path dir;

  @Test
  void theClientKeepsGettingAnswersFromTheSurvivorWhenOneGreeterIsKilled() throws Exception {
    SampleProcess.assumePackaged();
    try (SampleProcess first = greeter("greeter-1");
        SampleProcess second = greeter("greeter-2")) {
      String killed = awaitReady("greeter-1");
      String survivor = awaitReady("greeter-2");

      try (SampleProcess client =
          SampleProcess.java(
              "client",
              settings(Map.of("vireo.samples.client.interval", "100ms")),
              dir.resolve("client.err"),
              "client",
              "--loop",
              String.valueOf(LOOP))) {
        // kill once both have answered a looped call
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> answerers(client.lines()).containsAll(List.of(killed, survivor)));
        int killedAfter = loopLines(client.lines()).size();
        first.process().destroyForcibly();

        assertThat(client.await(90, TimeUnit.SECONDS))
            .as("the client finished; its output:\n%s", client.output())
            .isNotEqualTo(-1);
        List<Matcher> calls = loopLines(client.lines());
        assertThat(calls).hasSize(LOOP);
        List<Matcher> afterGrace =
            calls.subList(Math.min(calls.size(), killedAfter + GRACE), calls.size());
        assertThat(afterGrace).as("calls after the kill").hasSizeGreaterThan(LOOP / 2);
        assertThat(afterGrace)
            .allSatisfy(
                call -> assertThat(call.group(3)).as("%s", call.group()).isEqualTo(survivor));
        assertThat(client.output())
            .contains(
                "greeter instances that answered: ["
                    + String.join(", ", new TreeSet<>(List.of(killed, survivor)))
                    + "]");
      }

      ZooKeeperRegistry registry = ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(registry.instances("greeter").block(Duration.ofSeconds(5)))
                        .extracting(ServiceInstance::id)
                        .containsExactly(survivor));
      } finally {
        registry.close().block(Duration.ofSeconds(10));
      }
      assertThat(second.process().isAlive()).isTrue();
    }
  }

  private SampleProcess greeter(String name) {
    return SampleProcess.java(
        name,
        settings(Map.of("vireo.samples.ready-file", dir.resolve(name + ".ready").toString())),
        dir.resolve(name + ".err"),
        "greeter");
  }

  private Map<String, String> settings(Map<String, String> more) {
    Map<String, String> settings =
        new HashMap<>(
            Map.of(
                "vireo.registry", "zookeeper",
                "vireo.registry.zookeeper.connect", ZK.connectString(),
                "vireo.registry.zookeeper.session-timeout", "4s",
                "vireo.registry.zookeeper.connection-timeout", "3s"));
    settings.putAll(more);
    return settings;
  }

  /** The instance id from the ready file ("greeter-1a2b3c4d serving greeter on ..."). */
  private String awaitReady(String name) {
    Path ready = dir.resolve(name + ".ready");
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(ready));
    try {
      return Files.readString(ready, StandardCharsets.UTF_8).split(" ")[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Matcher> loopLines(List<String> lines) {
    return lines.stream().map(LOOP_LINE::matcher).filter(Matcher::matches).toList();
  }

  private static Set<String> answerers(List<String> lines) {
    Set<String> found = new HashSet<>();
    for (Matcher call : loopLines(lines)) {
      if (call.group(3) != null) {
        found.add(call.group(3));
      }
    }
    return found;
  }
}
