package io.vireo.cli;

import io.vireo.Status;
import io.vireo.VireoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vireo new <name>}: a new project from the {@code io.vireo:vireo-archetype} Maven archetype
 * of this Vireo version, through {@code mvn archetype:generate} in batch mode.
 */
@Command(
    name = "new",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description = {
      "Creates a project from the io.vireo:vireo-archetype Maven archetype (mvn archetype:generate, batch mode).",
      "Maven's output goes to stderr; stdout gets one JSON document naming the project's folder."
    },
    footer = {"", "Example:", "  vireo new orders --package com.acme.orders"})
final class NewCommand implements Callable<Integer> {
  static final String ARCHETYPE_GROUP = "io.vireo";
  static final String ARCHETYPE_ARTIFACT = "vireo-archetype";

  @ParentCommand Vireo vireo;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "The project's artifact id and folder, such as orders.")
  String name;

  @Option(
      names = {"-p", "--package"},
      paramLabel = "PACKAGE",
      description = "The Java package (default: com.example.<name>).")
  @Nullable String javaPackage;

  @Option(
      names = {"-g", "--group"},
      paramLabel = "GROUP",
      description = "The Maven group id (default: the package).")
  @Nullable String group;

  @Option(
      names = "--directory",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Where to create it (default: the working folder).")
  Path directory;

  @Option(
      names = "--archetype-version",
      paramLabel = "VERSION",
      description = "The archetype's version (default: this Vireo's).")
  @Nullable String archetypeVersion;

  @Option(
      names = "--mvn",
      paramLabel = "COMMAND",
      description = "The Maven command (default: $VIREO_MVN, else mvn).")
  @Nullable String mvn;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description = "More properties for archetype:generate (such as maven.repo.local).")
  Map<String, String> properties = new LinkedHashMap<>();

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!name.matches("[a-z][a-z0-9-]*")) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "name: '%s' (expected: lower-case letters, digits and '-', such as orders)",
          name);
    }
    String pkg = javaPackage != null ? javaPackage : "com.example." + name.replace("-", "");
    if (!pkg.matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*")) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "--package: '%s' (expected: a Java package such as com.acme.orders)",
          pkg);
    }
    Path target = directory.toAbsolutePath().normalize().resolve(name);
    if (Files.exists(target)) {
      throw VireoException.of(
          Status.ALREADY_EXISTS, "%s exists already (expected: a new folder)", target);
    }
    Files.createDirectories(target.getParent());
    List<String> command = command(pkg);
    vireo.err.println("running: " + String.join(" ", command));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(target.getParent().toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw VireoException.of(
          Status.FAILED_PRECONDITION,
          "cannot run '%s': %s (install Maven, or give --mvn COMMAND or VIREO_MVN)",
          command.get(0),
          e.getMessage());
    }
    process.getOutputStream().close();
    try (InputStream output = process.getInputStream()) {
      byte[] buffer = new byte[8192];
      for (int read; (read = output.read(buffer)) >= 0; ) {
        vireo.err.print(new String(buffer, 0, read, StandardCharsets.UTF_8));
      }
    }
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw VireoException.of(
          Status.DEADLINE_EXCEEDED, "%s did not finish within 10 minutes", command.get(0));
    }
    if (process.exitValue() != 0) {
      throw VireoException.of(
          Status.FAILED_PRECONDITION,
          "mvn archetype:generate failed (exit %d; its output is above): is %s:%s:%s in a Maven repository it reaches?",
          process.exitValue(),
          ARCHETYPE_GROUP,
          ARCHETYPE_ARTIFACT,
          version());
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("project", name);
    row.put("directory", target.toString());
    row.put("package", pkg);
    row.put("archetype", ARCHETYPE_GROUP + ":" + ARCHETYPE_ARTIFACT + ":" + version());
    vireo.out.println(Output.json(row));
    return 0;
  }

  List<String> command(String pkg) {
    List<String> command = new ArrayList<>();
    String maven = mvn != null ? mvn : System.getenv().getOrDefault("VIREO_MVN", "mvn");
    command.addAll(List.of(maven.split(" ")));
    // the plugin by its coordinates: no prefix resolution, the version the archetype was made with
    command.addAll(
        List.of(
            "-B",
            Main.property("archetype-plugin", "archetype") + ":generate",
            "-DarchetypeGroupId=" + ARCHETYPE_GROUP,
            "-DarchetypeArtifactId=" + ARCHETYPE_ARTIFACT,
            "-DarchetypeVersion=" + version(),
            "-DgroupId=" + (group != null ? group : pkg),
            "-DartifactId=" + name,
            "-Dversion=0.1.0-SNAPSHOT",
            "-Dpackage=" + pkg,
            "-DinteractiveMode=false"));
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    return command;
  }

  private String version() {
    return archetypeVersion != null ? archetypeVersion : Main.version();
  }
}
