package io.vireo.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real protoc (the {@code com.google.protobuf:protoc} artifact the build copies to
 * target/protoc) running this module's plugin as {@code protoc-gen-vireo}: a shell script that
 * starts {@link ProtocPlugin} on the test class path.
 */
final class Protoc {
  static final Path PROTOS = Paths.get("src/test/resources/protos");

  private final Path work;
  private final Path plugin;
  private final Path wellKnown;

  Protoc(Path work) throws IOException {
    this.work = work;
    this.plugin = work.resolve("protoc-gen-vireo");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        plugin,
        "#!/bin/sh\nexec '"
            + java
            + "' -XX:TieredStopAtLevel=1 -cp '"
            + System.getProperty("java.class.path")
            + "' "
            + ProtocPlugin.class.getName()
            + "\n");
    Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
    // google/protobuf/*.proto ship inside protobuf-java; protoc itself has no include folder here
    this.wellKnown = work.resolve("include");
    Path empty = wellKnown.resolve("google/protobuf/empty.proto");
    Files.createDirectories(empty.getParent());
    try (InputStream in =
        Protoc.class.getClassLoader().getResourceAsStream("google/protobuf/empty.proto")) {
      assertThat(in).as("google/protobuf/empty.proto in protobuf-java").isNotNull();
      Files.copy(in, empty);
    }
  }

  /** Runs protoc with --vireo_out (and --java_out when {@code javaOut} is given). */
  Result run(String options, Path vireoOut, Path javaOut, String... files)
      throws IOException, InterruptedException {
    Files.createDirectories(vireoOut);
    List<String> command =
        new ArrayList<>(
            List.of(
                protoc().toString(),
                "-I" + PROTOS.toAbsolutePath(),
                "-I" + wellKnown,
                "--plugin=protoc-gen-vireo=" + plugin,
                "--vireo_out=" + vireoOut));
    if (!options.isEmpty()) {
      command.add("--vireo_opt=" + options);
    }
    if (javaOut != null) {
      Files.createDirectories(javaOut);
      command.add("--java_out=" + javaOut);
    }
    command.addAll(List.of(files));
    Path log = Files.createTempFile(work, "protoc", ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("protoc finished").isTrue();
    return new Result(
        process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), read(vireoOut));
  }

  static Map<String, String> read(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(
            root.relativize(p).toString().replace('\\', '/'),
            Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  private static Path protoc() throws IOException {
    String property = System.getProperty("vireo.codegen.protoc");
    assertThat(property).as("system property vireo.codegen.protoc (set by the pom)").isNotNull();
    Path protoc = Paths.get(property);
    if (!Files.isExecutable(protoc)) {
      Files.setPosixFilePermissions(protoc, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return protoc;
  }

  /** protoc's exit code, its output, and the files the plugin wrote (path → content). */
  record Result(int exitCode, String output, Map<String, String> files) {}
}
