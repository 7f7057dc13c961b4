package io.vireo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vireo new} with the real archetype: the archetype module's jar (and the parent pom it
 * names) laid out in a private repository, {@code mvn archetype:generate} run offline by the
 * command, the project's files checked. Building the new project is the archetype's own test
 * (ArchetypeIT); this one checks what the command line adds.
 */
class NewProjectIT {
  @TempDir Path work;

  @Test
  void newMakesAProjectFromTheArchetype() throws IOException {
    Path archetype =
        Path.of(System.getProperty("vireo.archetype.jar", "../archetype/target/missing.jar"));
    // the archetype module builds before this one in the reactor; alone (-pl cli), it may not have
    assumeTrue(
        Files.exists(archetype),
        "no " + archetype + ": build the archetype module first (./mvnw -pl archetype package)");
    String version = Main.version();
    Path repo = Path.of(System.getProperty("vireo.it.repo"));
    put(repo, "vireo-parent", version, Path.of(System.getProperty("vireo.root"), "pom.xml"), null);
    put(
        repo,
        "vireo-archetype",
        version,
        Path.of(System.getProperty("vireo.root"), "archetype", "pom.xml"),
        archetype);
    String mvn = Path.of(System.getProperty("vireo.it.maven-home"), "bin", "mvn") + " -o";

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {
              "new",
              "orders",
              "--package",
              "com.acme.orders",
              "--directory",
              work.toString(),
              "--mvn",
              mvn,
              "-Dmaven.repo.local=" + repo.toAbsolutePath(),
              "-Dmaven.repo.local.tail=" + System.getProperty("vireo.it.tail")
            },
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    Path project = work.resolve("orders");
    assertThat(CliTest.json(out.toString(StandardCharsets.UTF_8).strip()).get("directory").asText())
        .isEqualTo(project.toString());
    assertThat(project.resolve("pom.xml"))
        .content()
        .contains("<artifactId>orders</artifactId>")
        .contains("<groupId>com.acme.orders</groupId>");
    assertThat(project.resolve("src/main/java/com/acme/orders/Main.java")).exists();
    assertThat(project.resolve("src/main/proto/greeter.proto")).exists();
    assertThat(project.resolve("mvnw")).isExecutable();
  }

  private static void put(Path repo, String artifactId, String version, Path pom, Path jar)
      throws IOException {
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
}
