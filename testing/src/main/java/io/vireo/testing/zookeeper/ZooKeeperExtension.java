package io.vireo.testing.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, in-process ZooKeeper server (Curator's {@code TestingServer}) on a free port, for JUnit 5
 * tests.
 *
 * <pre>{@code
 * class OrdersTest {
 *   @RegisterExtension
 *   static final ZooKeeperExtension ZK = new ZooKeeperExtension();
 *
 *   @Test
 *   void findsGreeter() {
 *     Registry registry = ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
 *     ...
 *     ZK.stop();     // ZooKeeper goes away ...
 *     ZK.restart();  // ... and comes back on the same port, with its data
 *   }
 * }
 * }</pre>
 *
 * <p>As a {@code static} field the server runs for the whole class; as an instance field, for each
 * test. A test that stopped it leaves it running again for the next test.
 *
 * <p>The server's tick is {@value #DEFAULT_TICK_MILLIS} ms unless given, so that it accepts session
 * timeouts from two to twenty ticks (0.5 to 5 seconds): short sessions make expiry tests quick. A
 * client asking for more gets twenty ticks.
 */
public class ZooKeeperExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private static final Logger logger = LoggerFactory.getLogger(ZooKeeperExtension.class);

  /** The server's default tick, in milliseconds. */
  public static final int DEFAULT_TICK_MILLIS = 250;

  private final int tickMillis;
  private @Nullable TestingServer server;
  private boolean running;
  private boolean perTest;

  /** A server with a {@value #DEFAULT_TICK_MILLIS} ms tick. */
  public ZooKeeperExtension() {
    this(Duration.ofMillis(DEFAULT_TICK_MILLIS));
  }

  /** A server with this tick: it accepts session timeouts from 2 to 20 ticks. */
  public ZooKeeperExtension(Duration tick) {
    if (tick.isZero() || tick.isNegative()) {
      throw new IllegalArgumentException("tick: " + tick + " (expected: > 0)");
    }
    this.tickMillis = (int) tick.toMillis();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (server == null) {
      perTest = true;
      start();
    } else if (!running) {
      restart();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (perTest) {
      close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    close();
  }

  /** {@code 127.0.0.1:<port>}. */
  public synchronized String connectString() {
    return server().getConnectString();
  }

  public synchronized int port() {
    return server().getPort();
  }

  /** Whether the server is up (not {@link #stop stopped}). */
  public synchronized boolean isRunning() {
    return running;
  }

  /**
   * Takes the server down; clients lose their connection. Its port and data are kept for {@link
   * #restart}.
   */
  public synchronized void stop() {
    try {
      server().stop();
      running = false;
      logger.info("ZooKeeper at {} stopped", server().getConnectString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop ZooKeeper", e);
    }
  }

  /** Brings the server back on the same port with the same data; live sessions may resume. */
  public synchronized void restart() {
    try {
      server().restart();
      running = true;
      logger.info("ZooKeeper at {} restarted", server().getConnectString());
    } catch (Exception e) {
      throw new IllegalStateException("cannot restart ZooKeeper on port " + server().getPort(), e);
    }
  }

  private synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      InstanceSpec spec =
          new InstanceSpec(
              Files.createTempDirectory("vireo-zk").toFile(),
              -1,
              -1,
              -1,
              true,
              -1,
              tickMillis,
              -1,
              Map.of(),
              "127.0.0.1");
      server = new TestingServer(spec, true);
      running = true;
      logger.info("ZooKeeper started at {}", server.getConnectString());
    } catch (Exception e) {
      throw new IllegalStateException("cannot start an in-process ZooKeeper", e);
    }
  }

  private synchronized void close() throws IOException {
    if (server != null) {
      server.close();
      server = null;
      running = false;
      perTest = false;
    }
  }

  private TestingServer server() {
    TestingServer current = server;
    if (current == null) {
      throw new IllegalStateException(
          "ZooKeeper is not started: register the extension with @RegisterExtension");
    }
    return current;
  }
}
