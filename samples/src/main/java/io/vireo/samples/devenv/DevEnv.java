package io.vireo.samples.devenv;

import io.vireo.config.Config;
import io.vireo.config.Values;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A local ZooKeeper and a local Kafka broker (KRaft, one node as broker and controller), each a
 * child process of this JVM on a fixed loopback port, for running the samples as separate processes
 * without Docker.
 *
 * <pre>{@code
 * DevEnv env = DevEnv.of(Config.builder().build(), System.out).start(); // waits until both answer
 * // ... VIREO_REGISTRY_ZOOKEEPER_CONNECT=env.zookeeperConnect(), ...
 * env.stop();                                                       // Kafka, then ZooKeeper
 * }</pre>
 *
 * ZooKeeper runs from the jar Curator brings, Kafka from {@code kafka_2.13}. The broker's jars (and
 * ZooKeeper's server-only ones) are not in the samples jar: the build writes their paths into the
 * resource {@code kafka.classpath} (in Maven's local repository, where the build resolved them from
 * Maven Central), and both run on those plus this JVM's classpath.
 *
 * <p>Keys ({@code vireo.samples.dev-env.} + ), also as environment variables ({@code
 * VIREO_SAMPLES_DEV_ENV_ZOOKEEPER_PORT}):
 *
 * <table>
 *   <caption>dev-env keys</caption>
 *   <tr><td>{@code zookeeper-port}</td><td>{@value #DEFAULT_ZOOKEEPER_PORT}</td></tr>
 *   <tr><td>{@code kafka-port}</td><td>{@value #DEFAULT_KAFKA_PORT}</td></tr>
 *   <tr><td>{@code kafka-controller-port}</td><td>{@value #DEFAULT_KAFKA_CONTROLLER_PORT}</td></tr>
 *   <tr><td>{@code dir}</td><td>a new temporary directory, deleted on stop</td></tr>
 *   <tr><td>{@code start-timeout}</td><td>60s</td></tr>
 *   <tr><td>{@code kafka-heap}</td><td>{@value #DEFAULT_KAFKA_HEAP}</td></tr>
 *   <tr><td>{@code kafka-classpath}</td><td>the paths the build wrote</td></tr>
 * </table>
 */
public final class DevEnv {
  public static final String PREFIX = "vireo.samples.dev-env.";

  /**
   * Not ZooKeeper's 2181 nor Kafka's 9092, so that a ZooKeeper or Kafka already installed does not
   * clash.
   */
  public static final int DEFAULT_ZOOKEEPER_PORT = 22181;

  public static final int DEFAULT_KAFKA_PORT = 29092;
  public static final int DEFAULT_KAFKA_CONTROLLER_PORT = 29093;
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  public static final String DEFAULT_KAFKA_HEAP = "256m";
  static final long STOP_TIMEOUT_SECONDS = 20;
  static final String HOST = "127.0.0.1";

  private final int zookeeperPort;
  private final int kafkaPort;
  private final int controllerPort;
  private final Optional<Path> configuredDir;
  private final Duration startTimeout;
  private final String kafkaHeap;
  private final Optional<String> kafkaClasspath;
  private final PrintStream out;
  private final List<Process> processes = new ArrayList<>();
  private final Map<Process, String> names = new ConcurrentHashMap<>();
  private Optional<Path> dir = Optional.empty();
  private boolean stopped;

  private DevEnv(Config config, PrintStream out) {
    this.zookeeperPort = port(config, "zookeeper-port", DEFAULT_ZOOKEEPER_PORT);
    this.kafkaPort = port(config, "kafka-port", DEFAULT_KAFKA_PORT);
    this.controllerPort = port(config, "kafka-controller-port", DEFAULT_KAFKA_CONTROLLER_PORT);
    this.configuredDir = config.get(PREFIX + "dir").map(Path::of);
    this.startTimeout = config.getDuration(PREFIX + "start-timeout", DEFAULT_START_TIMEOUT);
    if (startTimeout.isNegative() || startTimeout.isZero()) {
      throw new IllegalArgumentException(
          PREFIX + "start-timeout: " + Values.format(startTimeout) + " (expected: > 0)");
    }
    this.kafkaHeap = config.get(PREFIX + "kafka-heap", DEFAULT_KAFKA_HEAP);
    this.kafkaClasspath = config.get(PREFIX + "kafka-classpath");
    this.out = out;
  }

  /**
   * A dev environment configured by {@code vireo.samples.dev-env.*}; prints its progress on {@code
   * out}.
   */
  public static DevEnv of(Config config, PrintStream out) {
    return new DevEnv(config, out);
  }

  private static int port(Config config, String key, int defaultValue) {
    int port = config.getInt(PREFIX + key, defaultValue);
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException(PREFIX + key + ": " + port + " (expected: 1 to 65535)");
    }
    return port;
  }

  public String zookeeperConnect() {
    return HOST + ":" + zookeeperPort;
  }

  public String kafkaBootstrapServers() {
    return HOST + ":" + kafkaPort;
  }

  /** The settings that point a Vireo service at this environment, as environment variables. */
  public Map<String, String> serviceEnvironment() {
    return Map.of(
        "VIREO_REGISTRY",
        "zookeeper",
        "VIREO_REGISTRY_ZOOKEEPER_CONNECT",
        zookeeperConnect(),
        "VIREO_BROKER",
        "kafka",
        "VIREO_BROKER_KAFKA_BOOTSTRAP_SERVERS",
        kafkaBootstrapServers());
  }

  /**
   * Starts ZooKeeper, then Kafka, and returns once both answer. Fails, after stopping what it
   * started, when a port is taken, a process exits, or {@code start-timeout} passes.
   */
  public synchronized DevEnv start() {
    requireFree(zookeeperPort, "zookeeper-port", "ZooKeeper");
    requireFree(kafkaPort, "kafka-port", "Kafka");
    requireFree(controllerPort, "kafka-controller-port", "Kafka's controller");
    long deadline = System.nanoTime() + startTimeout.toNanos();
    try {
      Path root =
          configuredDir.isPresent()
              ? Files.createDirectories(configuredDir.get())
              : Files.createTempDirectory("vireo-dev-env");
      dir = Optional.of(root);
      Process zookeeper = startZooKeeper(root);
      awaitZooKeeper(zookeeper, root, deadline);
      out.println(
          "dev-env: ZooKeeper answers on " + zookeeperConnect() + " (pid " + zookeeper.pid() + ")");
      Process kafka = startKafka(root, deadline);
      awaitKafka(kafka, root, deadline);
      out.println(
          "dev-env: Kafka answers on " + kafkaBootstrapServers() + " (pid " + kafka.pid() + ")");
      // ZooKeeper may have died while Kafka started, or Kafka right after it answered
      firstExited()
          .ifPresent(
              exit -> {
                throw new IllegalStateException(
                    "dev-env: " + exit + tail(root, names.get(exitedProcess())));
              });
      return this;
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /**
   * Stops Kafka, then ZooKeeper (SIGTERM, then a kill after {@value #STOP_TIMEOUT_SECONDS}s);
   * deletes a temporary directory.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process process = processes.get(i);
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (configuredDir.isEmpty()) {
      dir.ifPresent(DevEnv::deleteQuietly);
    }
  }

  /**
   * Completes, with what exited and its code, when ZooKeeper or Kafka exits while the environment
   * runs (not when {@link #stop()} stops them): the caller must stop saying "ready".
   */
  public CompletableFuture<String> exited() {
    List<Process> running = List.copyOf(processes);
    CompletableFuture<String> any = new CompletableFuture<>();
    for (Process process : running) {
      process
          .onExit()
          .thenAccept(
              gone -> {
                boolean stopping;
                synchronized (this) {
                  stopping = stopped;
                }
                // completed outside the lock: what the caller does next (stop(), exit) takes it
                if (!stopping) {
                  any.complete(
                      describe(gone) + dir.map(root -> tail(root, names.get(gone))).orElse(""));
                }
              });
    }
    return any;
  }

  private Optional<String> firstExited() {
    Process gone = exitedProcess();
    return gone == null ? Optional.empty() : Optional.of(describe(gone));
  }

  private Process exitedProcess() {
    return processes.stream().filter(p -> !p.isAlive()).findFirst().orElse(null);
  }

  private String describe(Process gone) {
    String name = names.getOrDefault(gone, "a child process");
    String what = name.equals("kafka") ? "Kafka" : name.equals("zookeeper") ? "ZooKeeper" : name;
    return what + " exited (code " + gone.exitValue() + ", pid " + gone.pid() + ")";
  }

  /** ZooKeeper's settings (zoo.cfg), but for its data directory. */
  public Map<String, String> zookeeperSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("tickTime", "1000");
    settings.put("clientPort", String.valueOf(zookeeperPort));
    settings.put("clientPortAddress", HOST);
    settings.put("admin.enableServer", "false");
    settings.put("4lw.commands.whitelist", "srvr");
    // sessions of 2 to 20 ticks: the samples use 4s, so that a killed instance vanishes soon
    settings.put("minSessionTimeout", "2000");
    settings.put("maxSessionTimeout", "20000");
    return settings;
  }

  /** The Kafka broker's settings (server.properties), but for its log directory. */
  public Map<String, String> kafkaSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("process.roles", "broker,controller");
    settings.put("node.id", "1");
    settings.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    settings.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + kafkaPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
    settings.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + kafkaPort);
    settings.put("controller.listener.names", "CONTROLLER");
    settings.put("inter.broker.listener.name", "PLAINTEXT");
    settings.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    settings.put("offsets.topic.replication.factor", "1");
    settings.put("offsets.topic.num.partitions", "3");
    settings.put("transaction.state.log.replication.factor", "1");
    settings.put("transaction.state.log.min.isr", "1");
    settings.put("share.coordinator.state.topic.replication.factor", "1");
    settings.put("share.coordinator.state.topic.min.isr", "1");
    settings.put("group.initial.rebalance.delay.ms", "0");
    return settings;
  }

  private Process startZooKeeper(Path root) throws IOException {
    Path data = Files.createDirectories(root.resolve("zookeeper"));
    Path cfg = root.resolve("zoo.cfg");
    StringBuilder text = new StringBuilder("dataDir=" + data + "\n");
    zookeeperSettings()
        .forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    Files.writeString(cfg, text);
    // the classpath file has what ZooKeeper's server needs beyond Curator's client (metrics-core)
    return launch(
        "zookeeper",
        root,
        List.of(
            "-Xmx128m",
            "-XX:+UseSerialGC",
            "-cp",
            kafkaClasspath() + File.pathSeparator + ownClasspath(),
            "org.apache.zookeeper.server.ZooKeeperServerMain",
            cfg.toString()));
  }

  private Process startKafka(Path root, long deadline) throws IOException {
    Properties props = new Properties();
    props.putAll(kafkaSettings());
    props.setProperty("log.dirs", Files.createDirectories(root.resolve("kafka")).toString());
    Path file = root.resolve("server.properties");
    try (OutputStream stream = Files.newOutputStream(file)) {
      props.store(stream, "written by vireo-samples dev-env");
    }
    List<String> jvm =
        List.of(
            "-Xmx" + kafkaHeap,
            "-XX:+UseSerialGC",
            "-cp",
            kafkaClasspath() + File.pathSeparator + ownClasspath());
    Process format =
        launch(
            "kafka-format",
            root,
            concat(
                jvm,
                List.of(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    Uuid.randomUuid().toString(),
                    "-c",
                    file.toString(),
                    "--ignore-formatted")));
    processes.remove(format);
    try {
      long waitNanos = Math.max(0, deadline - System.nanoTime());
      if (!format.waitFor(waitNanos, TimeUnit.NANOSECONDS)) {
        format.destroyForcibly();
        throw new IllegalStateException(
            "dev-env: formatting Kafka's storage took longer than "
                + Values.format(startTimeout)
                + tail(root, "kafka-format"));
      }
    } catch (InterruptedException e) {
      format.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("dev-env: interrupted", e);
    }
    if (format.exitValue() != 0) {
      throw new IllegalStateException(
          "dev-env: formatting Kafka's storage failed (exit "
              + format.exitValue()
              + ")"
              + tail(root, "kafka-format"));
    }
    return launch("kafka", root, concat(jvm, List.of("kafka.Kafka", file.toString())));
  }

  private String kafkaClasspath() throws IOException {
    String classpath;
    if (kafkaClasspath.isPresent()) {
      classpath = kafkaClasspath.get();
    } else {
      try (InputStream in = DevEnv.class.getResourceAsStream("kafka.classpath")) {
        if (in == null) {
          throw new IllegalStateException(
              "dev-env: no kafka.classpath in the samples jar (expected: a jar built by"
                  + " ./mvnw package -pl samples -am, or "
                  + PREFIX
                  + "kafka-classpath)");
        }
        classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    }
    classpath = absolute(classpath);
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.isEmpty() && !Files.exists(Path.of(entry))) {
        throw new IllegalStateException(
            "dev-env: Kafka's jar "
                + entry
                + " is missing (expected: the jars the build"
                + " resolved; rebuild with ./mvnw package -DskipTests -pl samples -am, or set "
                + PREFIX
                + "kafka-classpath)");
      }
    }
    return classpath;
  }

  /**
   * This JVM's class path with every entry absolute: the children run in the data directory, so
   * {@code java -jar samples/target/vireo-samples.jar dev-env} (a relative path) would give them a
   * class path that resolves to nothing.
   */
  static String ownClasspath() {
    return absolute(System.getProperty("java.class.path"));
  }

  /** Each entry of a class path made absolute against the working directory. */
  static String absolute(String classpath) {
    List<String> entries = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private Process launch(String name, Path root, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(args);
    Process process =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(root.resolve(name + ".log").toFile())
            .start();
    processes.add(process);
    names.put(process, name);
    return process;
  }

  private void awaitZooKeeper(Process zookeeper, Path root, long deadline) {
    awaitUntil(
        "ZooKeeper", zookeeper, root, "zookeeper", deadline, () -> "srvr".equals(fourLetterWord()));
  }

  private String fourLetterWord() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, zookeeperPort), 1000);
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return answer.startsWith("Zookeeper version") ? "srvr" : answer;
    } catch (IOException notYet) {
      return "";
    }
  }

  private void awaitKafka(Process kafka, Path root, long deadline) {
    // the port first: an AdminClient against a closed port logs a warning each retry
    awaitUntil("Kafka", kafka, root, "kafka", deadline, () -> accepts(kafkaPort));
    Map<String, Object> admin =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin client = Admin.create(admin)) {
      awaitUntil(
          "Kafka",
          kafka,
          root,
          "kafka",
          deadline,
          () -> {
            try {
              return !client.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
            } catch (ExecutionException | TimeoutException notYet) {
              return false;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("dev-env: interrupted", e);
            }
          });
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private void awaitUntil(
      String what, Process process, Path root, String log, long deadline, BooleanSupplier answers) {
    while (!answers.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "dev-env: " + what + " exited (code " + process.exitValue() + ")" + tail(root, log));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "dev-env: "
                + what
                + " did not answer within "
                + Values.format(startTimeout)
                + " ("
                + PREFIX
                + "start-timeout)"
                + tail(root, log));
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("dev-env: interrupted", e);
      }
    }
  }

  private static String tail(Path root, String name) {
    Path log = root.resolve(name + ".log");
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "; the end of "
          + log
          + ":\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "; see " + log;
    }
  }

  private void requireFree(int port, String key, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(HOST, port));
    } catch (IOException taken) {
      throw new IllegalStateException(
          "dev-env: port "
              + port
              + " for "
              + what
              + " is taken (expected: a free port;"
              + " is another dev-env running? choose one with "
              + PREFIX
              + key
              + ")");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a temporary directory: the OS cleans it eventually
    }
  }
}
