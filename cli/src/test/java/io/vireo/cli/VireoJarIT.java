package io.vireo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged jar ({@code cli/target/vireo-cli.jar}) as a child process, against a service in a
 * real ZooKeeper.
 */
class VireoJarIT {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  static Service greeter;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() {
    greeter =
        Service.builder("greeter")
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.transport", "grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .handle(Greeter.class, new TestGreeter("jar"))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    greeter.stop();
  }

  static Result jar(String stdin, String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("vireo.cli.jar", "target/vireo-cli.jar"));
    assertThat(jar).exists();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("vireo-cli", ".out");
    Path err = Files.createTempFile("vireo-cli", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the jar finished").isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void thePackagedJarListsCallsStreamsAndFails() throws Exception {
    Result services = jar("", "services", "--zookeeper", ZK.connectString(), "--transport", "grpc");
    assertThat(services.code()).as(services.err()).isZero();
    assertThat(CliTest.json(services.out().strip()).get("service").asText()).isEqualTo("greeter");

    Result call =
        jar(
            "",
            "call",
            "greeter",
            "SayHello",
            "{\"name\":\"Jar\"}",
            "--zookeeper",
            ZK.connectString(),
            "--transport",
            "grpc");
    assertThat(call.code()).as(call.err()).isZero();
    assertThat(CliTest.json(call.out().strip()).get("message").asText()).isEqualTo("Hello, Jar!");

    Result bidi =
        jar(
            "{\"name\":\"a\"}\n{\"name\":\"b\"}\n",
            "call",
            "greeter",
            "BidiHello",
            "--zookeeper",
            ZK.connectString(),
            "--transport",
            "grpc");
    assertThat(bidi.code()).as(bidi.err()).isZero();
    assertThat(bidi.out().lines().map(line -> CliTest.json(line).get("message").asText()).toList())
        .containsExactly("Hi, a", "Hi, b");

    Result unknown = jar("", "call", "greeter", "Nope", "--zookeeper", ZK.connectString());
    assertThat(unknown.code()).isEqualTo(15);
    assertThat(unknown.err()).contains("NOT_FOUND: service greeter has no method 'Nope'");
    assertThat(unknown.out()).isEmpty();

    Result version = jar("", "--version");
    assertThat(version.out()).startsWith("vireo ");
  }
}
