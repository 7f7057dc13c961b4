package io.vireo.chaos;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.awaitility.Awaitility;

/**
 * A child JVM running a main class of this test class path, its stdout and stderr collected line by
 * line. {@link #terminate()} is SIGTERM (a graceful stop), {@link #kill()} is SIGKILL.
 */
final class Child implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader =
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
            name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code main} with {@code -Dkey=value} for each property and the given JVM options. */
  static Child start(
      String name, Class<?> main, Map<String, String> properties, String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dlogback.configurationFile=logback-child.xml");
    command.addAll(List.of(jvmOptions));
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-cp");
    command.add(classPath());
    command.add(main.getName());
    try {
      return new Child(name, new ProcessBuilder(command).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This JVM's class path, unpacked from surefire's manifest-only jar when it uses one. */
  static String classPath() {
    String classPath = System.getProperty("java.class.path");
    String[] entries = classPath.split(File.pathSeparator);
    if (entries.length != 1 || !entries[0].endsWith(".jar")) {
      return classPath;
    }
    try (JarFile jar = new JarFile(entries[0])) {
      Manifest manifest = jar.getManifest();
      String inManifest =
          manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (inManifest == null) {
        return classPath;
      }
      List<String> paths = new ArrayList<>();
      for (String url : inManifest.trim().split("\\s+")) {
        URI uri = Path.of(entries[0]).toUri().resolve(url);
        paths.add(Path.of(uri).toString());
      }
      return String.join(File.pathSeparator, paths);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the first line starting with {@code prefix} and returns it. */
  String awaitLine(String prefix, Duration timeout) {
    return Awaitility.await(name + " prints '" + prefix + "'")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .failFast(
            () -> !process.isAlive() && lines.stream().noneMatch(line -> line.startsWith(prefix)))
        .until(
            () -> lines.stream().filter(line -> line.startsWith(prefix)).findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** The value of {@code key=} in the ready line. */
  static int port(String readyLine, String key) {
    for (String part : readyLine.split(" ")) {
      if (part.startsWith(key + "=")) {
        return Integer.parseInt(part.substring(key.length() + 1));
      }
    }
    throw new IllegalArgumentException("no " + key + "= in '" + readyLine + "'");
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  int lineCount() {
    return lines.size();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Resident memory (VmRSS of /proc/pid/status), in KiB. */
  long residentKib() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS for " + name);
  }

  /** Runs {@code jcmd <pid> <command>} (GC.run...), waiting at most 30 s. */
  void jcmd(String... command) {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(process.pid()));
    line.addAll(List.of(command));
    try {
      Process jcmd =
          new ProcessBuilder(line)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, then waits (at most 30 s) for the exit; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not stop within 30s of SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL ({@code kill -9}): no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + ")";
  }
}
