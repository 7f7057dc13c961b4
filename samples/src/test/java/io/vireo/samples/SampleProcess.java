package io.vireo.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A child process whose stdout lines are collected as they come (stderr goes to a file); closing it
 * kills it and whatever it started.
 */
final class SampleProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private SampleProcess(Process process, String name) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException closed) {
                // the process is gone
              }
            },
            name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static SampleProcess start(
      String name, List<String> command, Map<String, String> environment, Path stderr) {
    return start(name, command, environment, stderr, Path.of("").toAbsolutePath());
  }

  /** In {@code directory} (its paths on the command line may then be relative to it). */
  static SampleProcess start(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path stderr,
      Path directory) {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(stderr.toFile()).directory(directory.toFile());
    builder.environment().putAll(environment);
    try {
      return new SampleProcess(builder.start(), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code java [-Dkey=value...] -jar vireo-samples.jar <args>}. */
  static SampleProcess java(
      String name, Map<String, String> properties, Path stderr, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    return start(name, command, Map.of(), stderr);
  }

  /** The shaded jar the {@code package} phase made; failsafe passes its path. */
  static Path jar() {
    return Path.of(System.getProperty(JAR_PROPERTY));
  }

  static final String JAR_PROPERTY = "vireo.samples.jar";

  /**
   * Skips a test that needs the packaged jar when surefire runs it (as {@code -Dtest=...} makes it
   * do, before {@code package}); failsafe runs it after {@code package} in the same build.
   */
  static void assumePackaged() {
    Assumptions.assumeTrue(
        System.getProperty(JAR_PROPERTY) != null,
        "needs the packaged samples jar: failsafe runs this after package");
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  String output() {
    return String.join("\n", lines);
  }

  Process process() {
    return process;
  }

  /** Waits for the exit and for the last line; returns the exit code, or -1 if it still runs. */
  int await(long timeout, TimeUnit unit) throws InterruptedException {
    if (!process.waitFor(timeout, unit)) {
      return -1;
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
  }
}
