package io.vireo.archetype;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * What a new user does: generate a project from the archetype, build it with its own Maven wrapper
 * offline against the Vireo artifacts of this build (installed into a private repository,
 * target/it-repo; third-party jars and Maven plugins are read from the build's own local repository
 * as a read-only tail, Maven 3.9's {@code maven.repo.local.tail}), let it run its test, then run
 * its jar and call it.
 */
class ArchetypeIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** reactor folder → artifact: what the generated project needs from this build. */
  private static final List<String[]> JARS =
      List.of(
          new String[] {"framework", "vireo-framework"},
          new String[] {"transport-rsocket", "vireo-transport-rsocket"},
          new String[] {"transport-grpc", "vireo-transport-grpc"},
          new String[] {"registry-zookeeper", "vireo-registry-zookeeper"},
          new String[] {"testing", "vireo-testing"},
          new String[] {"codegen", "vireo-protoc-plugin"});

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @TempDir Path work;

  private final String version = property("vireo.version");
  private final Path root = Paths.get(property("vireo.root")).toAbsolutePath().normalize();
  private final Path repo = Paths.get(property("vireo.it.repo"));
  private final Path tail = Paths.get(property("vireo.it.tail"));

  @Test
  void aGeneratedProjectBuildsOfflineRunsItsTestAndAnswersACall() throws Exception {
    install();
    Path project = generate();

    assertThat(project.resolve("mvnw")).isExecutable();
    assertThat(project.resolve(".mvn/wrapper/maven-wrapper.properties")).exists();
    assertThat(project.resolve("src/main/proto/greeter.proto"))
        .content()
        .contains("package com.example.hello;");
    assertThat(project.resolve("src/main/java/com/example/hello/Main.java"))
        .content()
        .contains(".run();");
    assertThat(project.resolve("src/main/java/com/example/hello/GreeterImpl.java")).exists();
    assertThat(project.resolve("src/test/java/com/example/hello/GreeterImplTest.java")).exists();
    assertThat(project.resolve("src/main/resources/vireo.yaml")).exists();
    assertThat(project.resolve("Dockerfile")).content().contains("COPY target/hello.jar");
    assertThat(project.resolve("README.md"))
        .content()
        .startsWith("hello\n=====\n")
        .contains("./mvnw verify\njava -jar target/hello.jar\n");
    assertThat(project.resolve("pom.xml"))
        .content()
        .contains("<artifactId>vireo-bom</artifactId>")
        .contains("<vireo.version>" + version + "</vireo.version>")
        .doesNotContain("vireo-parent");

    String build =
        run(project, "build", List.of(project.resolve("mvnw").toString(), "-B", "-o", "verify"));
    assertThat(build)
        .contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0")
        .contains("BUILD SUCCESS");
    Path jar = project.resolve("target/hello.jar");
    assertThat(jar).exists();

    Path log = work.resolve("hello.log");
    Process main =
        new ProcessBuilder(
                java(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dvireo.registry=zookeeper",
                "-Dvireo.registry.zookeeper.connect=" + ZK.connectString(),
                "-Dvireo.server.host=127.0.0.1",
                "-Dvireo.server.port=0",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Service caller =
        Service.builder("archetype-it")
            .set("vireo.client.timeout", "30s")
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .build()
            .start();
    try (URLClassLoader generated =
        new URLClassLoader(
            new URL[] {project.resolve("target/classes").toUri().toURL()},
            getClass().getClassLoader())) {
      await("hello answers SayHello")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(main.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(sayHello(generated, caller, "Ada")).isEqualTo("Hello, Ada");
              });
    } finally {
      caller.stop();
      main.destroy();
      assertThat(main.waitFor(60, TimeUnit.SECONDS)).as("hello stops on SIGTERM").isTrue();
    }
    assertThat(Files.readString(log)).contains("hello").contains("started on rsocket://127.0.0.1:");
  }

  /** greeter.sayHello(HelloRequest{name}).getMessage(), on the generated classes. */
  private static String sayHello(ClassLoader generated, Service caller, String name)
      throws Exception {
    Class<?> greeter = generated.loadClass("com.example.hello.api.Greeter");
    Class<?> request = generated.loadClass("com.example.hello.api.HelloRequest");
    Object builder = request.getMethod("newBuilder").invoke(null);
    builder.getClass().getMethod("setName", String.class).invoke(builder, name);
    Object hello = builder.getClass().getMethod("build").invoke(builder);
    Object client = caller.client("hello", greeter);
    Mono<?> reply = (Mono<?>) greeter.getMethod("sayHello", request).invoke(client, hello);
    Object message = reply.block(WAIT);
    return (String) message.getClass().getMethod("getMessage").invoke(message);
  }

  private Path generate() throws Exception {
    Path projects = work.resolve("projects");
    Files.createDirectories(projects);
    Path mvn = Paths.get(property("vireo.it.maven-home"), "bin", "mvn");
    run(
        projects,
        "generate",
        List.of(
            mvn.toString(),
            "-B",
            "-o",
            "org.apache.maven.plugins:maven-archetype-plugin:"
                + property("vireo.archetype.plugin-version")
                + ":generate",
            "-DarchetypeGroupId=io.vireo",
            "-DarchetypeArtifactId=vireo-archetype",
            "-DarchetypeVersion=" + version,
            "-DgroupId=com.example",
            "-DartifactId=hello",
            "-Dversion=1.0.0-SNAPSHOT",
            "-Dpackage=com.example.hello",
            "-DinteractiveMode=false"));
    return projects.resolve("hello");
  }

  /** Runs Maven offline against the private repository (head) and the build's repository (tail). */
  private String run(Path dir, String name, List<String> command) throws Exception {
    List<String> full = new ArrayList<>(command);
    full.add(2, "-Dmaven.repo.local=" + repo.toAbsolutePath());
    full.add(3, "-Dmaven.repo.local.tail=" + tail.toAbsolutePath());
    Path log = work.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("MAVEN_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1");
    Process process = builder.start();
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished && process.exitValue() == 0)
        .as("%s (%s) failed:%n%s", name, String.join(" ", full), output)
        .isTrue();
    return output;
  }

  /** The reactor's artifacts, laid out as `mvn install` would, into the private repository. */
  private void install() throws IOException {
    deleteVireo();
    put("vireo-parent", root.resolve("pom.xml"), null);
    put("vireo-bom", root.resolve("bom/pom.xml"), null);
    put("vireo-dependencies", root.resolve("dependencies/pom.xml"), null);
    for (String[] module : JARS) {
      Path jar =
          root.resolve(module[0]).resolve("target").resolve(module[1] + "-" + version + ".jar");
      assertThat(jar)
          .as("%s (expected: the reactor packaged %s first; run mvn verify)", jar, module[0])
          .exists();
      put(module[1], root.resolve(module[0]).resolve("pom.xml"), jar);
    }
    put(
        "vireo-archetype",
        root.resolve("archetype/pom.xml"),
        Paths.get(property("vireo.archetype.jar")));
  }

  private void put(String artifactId, Path pom, Path jar) throws IOException {
    Path dir = repo.resolve("io/vireo").resolve(artifactId).resolve(version);
    Files.createDirectories(dir);
    Files.copy(
        pom, dir.resolve(artifactId + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (jar != null) {
      Files.copy(
          jar,
          dir.resolve(artifactId + "-" + version + ".jar"),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void deleteVireo() throws IOException {
    Path vireo = repo.resolve("io/vireo");
    if (!Files.exists(vireo)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(vireo)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String property(String key) {
    String value = System.getProperty(key);
    assertThat(value).as("system property %s (set by archetype/pom.xml)", key).isNotNull();
    return value;
  }
}
