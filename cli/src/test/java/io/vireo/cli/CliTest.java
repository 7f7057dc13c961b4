package io.vireo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.cli.test.UserCreated;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.kafka.KafkaExtension;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The CLI's main, run in-process against real services registered in a real ZooKeeper, with events
 * through a real Kafka: every command, every call kind, and the failures a user meets.
 */
class CliTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  static final List<Service> SERVICES = new ArrayList<>();
  static TestGreeter greeter;
  static Service served;
  static final List<UserCreated> RECEIVED = new CopyOnWriteArrayList<>();

  @TempDir static Path state;

  /** What one run printed and answered. */
  record Result(int code, String out, String err) {
    List<JsonNode> lines() {
      return out.lines().filter(line -> !line.isBlank()).map(CliTest::json).toList();
    }
  }

  @BeforeAll
  static void start() {
    System.setProperty("vireo.cli.state-dir", state.toString());
    greeter = new TestGreeter("first");
    served =
        Service.builder("greeter")
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.transport", "rsocket,grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .set("vireo.broker", "kafka")
            .set("vireo.broker.kafka.bootstrap-servers", KAFKA.bootstrapServers())
            .set("vireo.broker.kafka.consumer.auto.offset.reset", "earliest")
            .set("vireo.admin.port", "0")
            .handle(Greeter.class, greeter)
            .subscribe(
                "cli.users",
                UserCreated.class,
                event -> Mono.fromRunnable(() -> RECEIVED.add(event)))
            .build()
            .start();
    SERVICES.add(served);
  }

  @AfterAll
  static void stop() {
    SERVICES.forEach(Service::stop);
    System.clearProperty("vireo.cli.state-dir");
  }

  static JsonNode json(String text) {
    try {
      return Output.JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  static Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A command against the test's ZooKeeper (and Kafka). */
  static Result vireo(String... args) {
    return vireoIn("", args);
  }

  static Result vireoIn(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--zookeeper", ZK.connectString(), "--kafka", KAFKA.bootstrapServers()));
    return run(stdin, all.toArray(String[]::new));
  }

  static String id(Service service, String transport) {
    return service.instances().stream()
        .filter(i -> i.transport().equals(transport))
        .findFirst()
        .orElseThrow()
        .id();
  }

  @Test
  void servicesListsEachServiceWithItsInstanceCount() {
    Result result = vireo("services");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.lines())
        .anySatisfy(
            line -> {
              assertThat(line.get("service").asText()).isEqualTo("greeter");
              assertThat(line.get("instances").asInt()).isEqualTo(2); // one per transport
            });
    Result table = vireo("services", "--output", "table");
    assertThat(table.out())
        .contains("SERVICE")
        .contains("INSTANCES")
        .containsPattern("greeter\\s+2");
  }

  @Test
  void describeShowsInstancesEndpointsKindsAndMessages() {
    Result result = vireo("describe", "greeter");
    assertThat(result.code()).as(result.err()).isZero();
    JsonNode doc = result.lines().get(0);
    assertThat(doc.get("instances")).hasSize(2);
    assertThat(doc.get("instances").get(0).get("health").asText()).isEqualTo("UP");
    assertThat(doc.get("instances").get(0).get("metadata").has(ServiceInstance.ADMIN_PORT_METADATA))
        .isTrue();
    List<String> methods = new ArrayList<>();
    doc.get("methods")
        .forEach(m -> methods.add(m.get("method").asText() + ":" + m.get("kind").asText()));
    assertThat(methods)
        .containsExactly(
            "SayHello:UNARY",
            "LotsOfReplies:SERVER_STREAM",
            "LotsOfGreetings:CLIENT_STREAM",
            "BidiHello:BIDI_STREAM",
            "Notify:UNARY");
    JsonNode request = doc.get("messages").get("vireo.cli.test.HelloRequest").get("fields");
    assertThat(request.get(0).get("name").asText()).isEqualTo("name");
    assertThat(request.get(1).get("type").asText()).isEqualTo("int32");

    Result table = vireo("describe", "greeter", "-o", "table");
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("message vireo.cli.test.HelloRequest {", "string name = 1;", "BIDI_STREAM");
  }

  @Test
  void callsEveryKind() throws Exception {
    Result unary = vireo("call", "greeter", "SayHello", "{\"name\":\"Ada\",\"times\":2}");
    assertThat(unary.code()).as(unary.err()).isZero();
    assertThat(unary.lines())
        .singleElement()
        .satisfies(line -> assertThat(line.get("message").asText()).isEqualTo("Hello, Ada!!"));

    Result stream =
        vireo("call", "greeter", "vireo.cli.test.Greeter/LotsOfReplies", "-d", "{\"name\":\"Bo\"}");
    assertThat(stream.code()).as(stream.err()).isZero();
    assertThat(stream.lines())
        .extracting(line -> line.get("message").asText())
        .containsExactly("Hello #1, Bo", "Hello #2, Bo", "Hello #3, Bo");

    Result client =
        vireoIn("{\"name\":\"a\"}\n\n{\"name\":\"b\"}\n", "call", "greeter", "LotsOfGreetings");
    assertThat(client.code()).as(client.err()).isZero();
    assertThat(client.lines())
        .singleElement()
        .satisfies(line -> assertThat(line.get("message").asText()).isEqualTo("Hello, a, b"));

    Result bidi = vireoIn("{\"name\":\"x\"}\n{\"name\":\"y\"}\n", "call", "greeter", "BidiHello");
    assertThat(bidi.code()).as(bidi.err()).isZero();
    assertThat(bidi.lines())
        .extracting(line -> line.get("message").asText())
        .containsExactly("Hi, x", "Hi, y");

    Result fire = vireo("call", "greeter", "Notify", "{\"name\":\"ping\"}", "--fire-and-forget");
    assertThat(fire.code()).as(fire.err()).isZero();
    assertThat(fire.out()).isBlank();
    await().atMost(Duration.ofSeconds(10)).until(() -> greeter.notified.contains("ping"));

    Path file = Files.createTempFile(state, "request", ".json");
    Files.writeString(file, "{\"name\":\"File\"}");
    Result fromFile =
        vireo("call", "greeter", "SayHello", "-d", "@" + file, "-H", "x-ignored: yes");
    assertThat(fromFile.lines())
        .singleElement()
        .satisfies(line -> assertThat(line.get("message").asText()).isEqualTo("Hello, File!"));
    Result fromStdin = vireoIn("{\"name\":\"In\"}", "call", "greeter", "SayHello", "-d", "@-");
    assertThat(fromStdin.lines())
        .singleElement()
        .satisfies(line -> assertThat(line.get("message").asText()).isEqualTo("Hello, In!"));

    Result header =
        vireo("call", "greeter", "SayHello", "{\"name\":\"tenant\"}", "-H", "x-tenant:acme");
    assertThat(header.lines())
        .singleElement()
        .satisfies(line -> assertThat(line.get("message").asText()).isEqualTo("acme"));

    Result table = vireo("call", "greeter", "LotsOfReplies", "{\"name\":\"T\"}", "-o", "table");
    assertThat(table.out().lines().toList())
        .containsExactly("MESSAGE", "Hello #1, T", "Hello #2, T", "Hello #3, T");
  }

  @Test
  void callsOneInstanceByIdOrByAddressOnEitherTransport() {
    String grpc = id(served, "grpc");
    Result pinned = vireo("call", "greeter", "SayHello", "{\"name\":\"tag\"}", "--instance", grpc);
    assertThat(pinned.code()).as(pinned.err()).isZero();
    assertThat(pinned.lines().get(0).get("message").asText()).isEqualTo("first");

    for (ServiceInstance instance : served.instances()) {
      Result direct =
          run(
              "",
              "call",
              "greeter",
              "SayHello",
              "{\"name\":\"Direct\"}",
              "--address",
              "127.0.0.1:" + instance.port(),
              "--transport",
              instance.transport());
      assertThat(direct.code()).as(instance.transport() + ": " + direct.err()).isZero();
      assertThat(direct.lines().get(0).get("message").asText()).isEqualTo("Hello, Direct!");
      Result services =
          run(
              "",
              "services",
              "--address",
              "127.0.0.1:" + instance.port(),
              "--transport",
              instance.transport());
      assertThat(services.lines())
          .singleElement()
          .satisfies(
              line -> assertThat(line.get("service").asText()).isEqualTo("vireo.cli.test.Greeter"));
    }
    Result gone = vireo("call", "greeter", "SayHello", "{}", "--instance", "greeter-nope");
    assertThat(gone.code()).isEqualTo(Main.exitCode(Status.UNAVAILABLE));
    assertThat(gone.err()).startsWith("UNAVAILABLE: ").contains("greeter-nope").contains(grpc);
  }

  @Test
  void anUnknownServiceIsNotFoundNamingTheServicesThereAre() {
    Result result = vireo("call", "nobody", "SayHello", "{}");
    assertThat(result.code()).isEqualTo(15);
    assertThat(result.err())
        .startsWith("NOT_FOUND: service 'nobody' is not in ZooKeeper at " + ZK.connectString())
        .contains("greeter");
    assertThat(vireo("describe", "nobody").code()).isEqualTo(15);
  }

  @Test
  void anUnknownMethodIsNotFoundNamingTheMethodsThereAre() {
    Result result = vireo("call", "greeter", "Nope", "{}");
    assertThat(result.code()).isEqualTo(15);
    assertThat(result.err())
        .startsWith("NOT_FOUND: service greeter has no method 'Nope'")
        .contains("Greeter/SayHello");
  }

  @Test
  void malformedJsonIsInvalidArgumentNamingTheField() {
    Result unknownField = vireo("call", "greeter", "SayHello", "{\"nmae\":\"Ada\"}");
    assertThat(unknownField.code()).isEqualTo(13);
    assertThat(unknownField.err())
        .startsWith("INVALID_ARGUMENT: ")
        .contains("nmae")
        .contains("vireo.cli.test.HelloRequest");
    Result wrongType = vireo("call", "greeter", "SayHello", "{\"times\":\"many\"}");
    assertThat(wrongType.code()).isEqualTo(13);
    assertThat(wrongType.err()).contains("field 'times'");
    Result broken = vireo("call", "greeter", "SayHello", "{\"name\":");
    assertThat(broken.code()).isEqualTo(13);
    Result line = vireoIn("{\"name\":\"a\"}\n{\"nmae\":\"b\"}\n", "call", "greeter", "BidiHello");
    assertThat(line.code()).isEqualTo(13);
    assertThat(line.err()).contains("line 2").contains("nmae");
  }

  @Test
  void anUnreachableRegistryIsUnavailableNamingTheConnectString() {
    Result result = run("", "services", "--zookeeper", "127.0.0.1:1", "--registry-timeout", "3s");
    assertThat(result.code()).as(result.err()).isEqualTo(24);
    assertThat(result.err()).startsWith("UNAVAILABLE: ").contains("127.0.0.1:1");
  }

  @Test
  void aDeadlineIsDeadlineExceeded() {
    Result result =
        vireo("call", "greeter", "SayHello", "{\"name\":\"slow\"}", "--timeout", "300ms");
    assertThat(result.code()).isEqualTo(14);
    assertThat(result.err()).startsWith("DEADLINE_EXCEEDED: ");
    Result status = vireo("call", "greeter", "SayHello", "{\"name\":\"missing\"}");
    assertThat(status.code()).isEqualTo(15);
    assertThat(status.err()).isEqualTo("NOT_FOUND: no user named missing\n");
  }

  @Test
  void publishesAndSubscribesThroughKafka() throws Exception {
    String topic = "cli.users";
    CompletableFuture<Result> subscribed =
        CompletableFuture.supplyAsync(
            () ->
                vireo(
                    "subscribe", topic, "--from", "earliest", "--count", "2", "--timeout", "60s"));
    Result published =
        vireo(
            "publish",
            topic,
            "--type",
            "vireo.cli.test.UserCreated",
            "{\"id\":\"u1\",\"email\":\"a@b.c\"}",
            "--key",
            "u1");
    assertThat(published.code()).as(published.err()).isZero();
    assertThat(published.lines().get(0).get("published").asBoolean()).isTrue();
    Result second =
        vireo(
            "publish",
            topic,
            "-t",
            "vireo.cli.test.UserCreated",
            "-d",
            "{\"id\":\"u2\"}",
            "--service",
            "greeter");
    assertThat(second.code()).as(second.err()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> RECEIVED.size() >= 2);
    assertThat(RECEIVED).extracting(UserCreated::getId).contains("u1", "u2");

    Result events = subscribed.get();
    assertThat(events.code()).as(events.err()).isZero();
    assertThat(events.lines()).hasSize(2);
    JsonNode first =
        events.lines().stream()
            .filter(e -> e.path("key").asText().equals("u1"))
            .findFirst()
            .orElseThrow();
    assertThat(first.get("type").asText()).isEqualTo("vireo.cli.test.UserCreated");
    assertThat(first.get("payload").get("email").asText()).isEqualTo("a@b.c");
    assertThat(first.get("headers").has("vireo-message-id")).isTrue();

    Result unknownType = vireo("publish", topic, "--type", "vireo.cli.test.Nope", "{}");
    assertThat(unknownType.code()).isEqualTo(15);
    assertThat(unknownType.err()).contains("vireo.cli.test.Nope");
  }

  @Test
  void healthOfflineAndOnline() {
    Result health = vireo("health", "greeter");
    assertThat(health.code()).as(health.err()).isZero();
    assertThat(health.lines())
        .hasSize(2)
        .allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("UP"));
    assertThat(vireo("health").code()).isZero();

    Result ambiguous = vireo("offline", "greeter");
    assertThat(ambiguous.code()).isEqualTo(13);
    assertThat(ambiguous.err()).contains("--instance").contains("--all");

    String rsocket = id(served, "rsocket");
    Result offline = vireo("offline", "greeter", "--all");
    assertThat(offline.code()).as(offline.err()).isZero();
    assertThat(offline.lines())
        .hasSize(2)
        .allSatisfy(line -> assertThat(line.get("offline").asBoolean()).isTrue());
    Result none = vireo("call", "greeter", "SayHello", "{}");
    assertThat(none.code()).isEqualTo(15);
    assertThat(served.isRunning()).isTrue();

    Result online = vireo("online", "greeter", "--instance", rsocket);
    assertThat(online.code()).as(online.err()).isZero();
    assertThat(online.lines().get(0).get("registered").asBoolean()).isTrue();
    Result back = vireo("online", "greeter", "--all");
    assertThat(back.code()).as(back.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> vireo("call", "greeter", "SayHello", "{\"name\":\"x\"}").code() == 0);
    assertThat(vireo("services").lines().get(0).get("instances").asInt()).isEqualTo(2);
  }

  @Test
  void newRunsTheArchetypeInBatchMode(@TempDir Path dir) throws Exception {
    // a stand-in for mvn that records its arguments: the archetype itself is the codegen module's
    Path args = dir.resolve("args.txt");
    Path mvn = dir.resolve("fake-mvn");
    Files.writeString(mvn, "#!/bin/sh\necho \"$@\" > " + args + "\necho '[INFO] BUILD SUCCESS'\n");
    mvn.toFile().setExecutable(true);
    Result result =
        run(
            "",
            "new",
            "orders",
            "--package",
            "com.acme.orders",
            "--directory",
            dir.toString(),
            "--mvn",
            mvn.toString());
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.lines().get(0).get("directory").asText())
        .isEqualTo(dir.resolve("orders").toString());
    assertThat(result.err()).contains("BUILD SUCCESS");
    assertThat(Files.readString(args))
        .contains(
            "-B",
            "org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate",
            "-DarchetypeGroupId=io.vireo",
            "-DarchetypeArtifactId=vireo-archetype",
            "-DarchetypeVersion=" + Main.version(),
            "-DartifactId=orders",
            "-Dpackage=com.acme.orders",
            "-DgroupId=com.acme.orders",
            "-DinteractiveMode=false");

    Result badName =
        run("", "new", "Orders!", "--directory", dir.toString(), "--mvn", mvn.toString());
    assertThat(badName.code()).isEqualTo(13);
    Result noMaven =
        run(
            "",
            "new",
            "billing",
            "--directory",
            dir.toString(),
            "--mvn",
            dir.resolve("no-such-mvn").toString());
    assertThat(noMaven.code()).isEqualTo(19);
    assertThat(noMaven.err()).contains("FAILED_PRECONDITION: cannot run").contains("no-such-mvn");
  }

  @Test
  void everyCommandHasHelpWithAnExampleAndThereIsAVersion() {
    for (String command :
        List.of(
            "services",
            "describe",
            "call",
            "publish",
            "subscribe",
            "health",
            "offline",
            "online",
            "new")) {
      Result help = run("", command, "--help");
      assertThat(help.code()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: vireo " + command).contains("Example");
    }
    assertThat(run("", "--version").out()).contains("vireo " + Main.version());
    assertThat(run("", "generate-completion").out()).contains("complete").contains("vireo");
    Result usage = run("", "call");
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).contains("Missing required parameter");
  }
}
