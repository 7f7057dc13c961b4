package io.vireo.testing.etcd;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real etcd server, started as a child process of the test on free loopback ports with a data
 * directory of its own, for JUnit 5 tests.
 *
 * <pre>{@code
 * class OrdersTest {
 *   @RegisterExtension
 *   static final EtcdExtension ETCD = new EtcdExtension();
 *
 *   @Test
 *   void findsGreeter() {
 *     Registry registry = EtcdRegistry.builder().endpoints(ETCD.endpoint()).build();
 *     ...
 *     ETCD.stop();     // etcd goes away (SIGTERM) ...
 *     ETCD.restart();  // ... and comes back on the same ports, with its data
 *     ETCD.kill();     // or dies at once (SIGKILL)
 *   }
 * }
 * }</pre>
 *
 * <p>It runs the {@code etcd} binary found on the {@code PATH} (Debian's {@code etcd-server}
 * package, etcd 3.4+), or the one named by the system property {@value #BINARY_PROPERTY} or the
 * environment variable {@code VIREO_ETCD_BINARY}. Without one, the test fails with a message saying
 * how to install it: a missing etcd is never a silent skip.
 *
 * <p>As a {@code static} field the server runs for the whole class; as an instance field, for each
 * test. A test that stopped it leaves it running again for the next test. The process and its data
 * directory are removed when the extension ends, and by a shutdown hook should the test JVM exit
 * first.
 */
public class EtcdExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private static final Logger logger = LoggerFactory.getLogger(EtcdExtension.class);

  /** The system property that names the etcd binary, when it is not {@code etcd} on the PATH. */
  public static final String BINARY_PROPERTY = "vireo.etcd.binary";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final List<String> extraArgs;
  private final boolean tls;
  private @Nullable Process process;
  private @Nullable Path dataDir;
  private @Nullable Path logFile;
  private int clientPort;
  private int peerPort;
  private boolean started;
  private boolean perTest;
  private @Nullable Thread shutdownHook;

  /** An etcd with its default settings. */
  public EtcdExtension() {
    this(List.of());
  }

  /**
   * An etcd with these command-line flags on top of the ones the extension sets (e.g. {@code
   * --auto-compaction-retention=1}).
   */
  public EtcdExtension(List<String> extraArgs) {
    this(extraArgs, false);
  }

  private EtcdExtension(List<String> extraArgs, boolean tls) {
    this.extraArgs = List.copyOf(extraArgs);
    this.tls = tls;
  }

  /**
   * An etcd that serves clients over TLS only ({@code https://127.0.0.1:<port>}) with this
   * certificate and key (PEM; the certificate should name {@code 127.0.0.1}).
   */
  public static EtcdExtension tls(Path certFile, Path keyFile) {
    return new EtcdExtension(
        List.of("--cert-file", certFile.toString(), "--key-file", keyFile.toString()), true);
  }

  /**
   * Like {@link #tls}, and clients must present a certificate issued by {@code clientCaFile}
   * ({@code --client-cert-auth}).
   */
  public static EtcdExtension mutualTls(Path certFile, Path keyFile, Path clientCaFile) {
    return new EtcdExtension(
        List.of(
            "--cert-file",
            certFile.toString(),
            "--key-file",
            keyFile.toString(),
            "--client-cert-auth",
            "--trusted-ca-file",
            clientCaFile.toString()),
        true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!started) {
      perTest = true;
      start();
    } else if (!isRunning()) {
      restart();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** The client URL, {@code http://127.0.0.1:<port>} ({@code https://} for a TLS etcd). */
  public synchronized String endpoint() {
    requireStarted();
    return scheme() + "://127.0.0.1:" + clientPort;
  }

  /** The client port. */
  public synchronized int port() {
    requireStarted();
    return clientPort;
  }

  /** Whether the etcd process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Where the process writes its log (kept until the extension ends), for a failing test's
   * diagnosis.
   */
  public synchronized Path logFile() {
    requireStarted();
    return logFile;
  }

  /**
   * Stops etcd gracefully (SIGTERM) and waits for it to exit; its ports and data are kept for
   * {@link #restart}.
   */
  public synchronized void stop() {
    end(false);
    logger.info("etcd at {} stopped", endpoint());
  }

  /**
   * Kills etcd at once (SIGKILL), as a crash would; its ports and data are kept for {@link
   * #restart}.
   */
  public synchronized void kill() {
    end(true);
    logger.info("etcd at {} killed", endpoint());
  }

  /** Starts etcd again on the same ports with the same data (its keys and leases). */
  public synchronized void restart() {
    requireStarted();
    if (isRunning()) {
      end(false);
    }
    launch();
    logger.info("etcd at {} restarted", endpoint());
  }

  private synchronized void start() {
    if (started) {
      return;
    }
    String binary = binary();
    try {
      dataDir = Files.createTempDirectory("vireo-etcd");
      logFile = Files.createTempFile("vireo-etcd", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for etcd", e);
    }
    clientPort = freePort();
    peerPort = freePort();
    started = true;
    shutdownHook = new Thread(this::destroyQuietly, "vireo-etcd-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    launch(binary);
    logger.info("etcd started at {} (data {}, log {})", endpoint(), dataDir, logFile);
  }

  private void launch() {
    launch(binary());
  }

  private void launch(String binary) {
    String client = scheme() + "://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> command =
        new ArrayList<>(
            List.of(
                binary,
                "--name",
                "default",
                "--data-dir",
                dataDir.toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "default=" + peer,
                "--initial-cluster-state",
                "new"));
    command.addAll(extraArgs);
    long logOffset;
    try {
      logOffset = Files.size(logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read etcd's log " + logFile, e);
    }
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + binary + ": " + e.getMessage() + missingHint(), e);
    }
    awaitHealthy(logOffset);
  }

  private String scheme() {
    return tls ? "https" : "http";
  }

  /**
   * Polls {@code /health} until etcd answers that it is healthy, it dies, or {@link #START_TIMEOUT}
   * passes.
   */
  private void awaitHealthy(long logOffset) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "etcd exited with " + process.exitValue() + " at start; its log:\n" + tail());
      }
      try {
        if (tls) {
          // /health needs a trusted (and maybe a client) certificate: read etcd's own word instead
          if (logSince(logOffset).contains("ready to serve client requests")) {
            return;
          }
        } else {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
            return;
          }
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd to start", e);
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd to start", e);
      }
    }
    destroyQuietly();
    throw new IllegalStateException(
        "etcd did not become healthy on port "
            + clientPort
            + " within "
            + START_TIMEOUT
            + "; its log:\n"
            + tail());
  }

  private void end(boolean kill) {
    requireStarted();
    Process current = process;
    if (current == null || !current.isAlive()) {
      return;
    }
    if (kill) {
      current.destroyForcibly();
    } else {
      current.destroy();
    }
    try {
      if (!current.waitFor(15, TimeUnit.SECONDS)) {
        current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      current.destroyForcibly();
    }
  }

  private synchronized void close() {
    if (!started) {
      return;
    }
    destroyQuietly();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down; the hook runs anyway
      }
      shutdownHook = null;
    }
    if (logFile != null) {
      try {
        Files.deleteIfExists(logFile);
      } catch (IOException e) {
        logger.debug("Could not delete etcd's log {}: {}", logFile, e.toString());
      }
    }
    started = false;
    perTest = false;
  }

  private void destroyQuietly() {
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
      try {
        current.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    process = null;
    Path dir = dataDir;
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException e) {
        logger.debug("Could not delete etcd's data directory {}: {}", dir, e.toString());
      }
      dataDir = null;
    }
  }

  private String logSince(long offset) throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    return new String(
        all,
        (int) Math.min(offset, all.length),
        (int) Math.max(0, all.length - offset),
        StandardCharsets.UTF_8);
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private void requireStarted() {
    if (!started) {
      throw new IllegalStateException(
          "etcd is not started: register the extension with @RegisterExtension");
    }
  }

  /**
   * The etcd binary to run: the property, the environment variable, or {@code etcd} on the PATH.
   */
  static String binary() {
    Optional<String> configured =
        Optional.ofNullable(System.getProperty(BINARY_PROPERTY))
            .or(() -> Optional.ofNullable(System.getenv("VIREO_ETCD_BINARY")))
            .filter(value -> !value.isBlank());
    if (configured.isPresent()) {
      if (!Files.isExecutable(Path.of(configured.get()))) {
        throw new IllegalStateException(
            "etcd binary "
                + configured.get()
                + " (from "
                + BINARY_PROPERTY
                + " or VIREO_ETCD_BINARY) is not an executable file"
                + missingHint());
      }
      return configured.get();
    }
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "etcd"))) {
        return Path.of(dir, "etcd").toString();
      }
    }
    throw new IllegalStateException(
        "no etcd binary: 'etcd' is not on the PATH (" + path + ")" + missingHint());
  }

  private static String missingHint() {
    return ". These tests need a real etcd 3.4+: install Debian's etcd-server package "
        + "(apt-get install --no-install-recommends etcd-server), or set -D"
        + BINARY_PROPERTY
        + "=/path/to/etcd";
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port for etcd", e);
    }
  }
}
