package io.vireo.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vireo.Service;
import io.vireo.transport.RefusedConnections.Reason;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

class RefusedConnectionsTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(RefusedConnections.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Level level;

  @BeforeEach
  void capture() {
    level = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
    logger.setLevel(level);
  }

  private List<String> warnings() {
    return appender.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void countsEveryRefusalButLogsOneLinePerPeerAndAtMostFiveAMinute() {
    RefusedConnections refused = RefusedConnections.of("test-limit");
    for (int i = 0; i < 1_000; i++) {
      refused.refuse(
          new InetSocketAddress("127.0.0.1", 40_000 + i % 1000),
          Reason.MALFORMED_FRAME,
          "bad " + i,
          new IllegalStateException("trace only at DEBUG"));
    }
    for (int peer = 2; peer <= 20; peer++) {
      refused.refuse(
          new InetSocketAddress("127.0.0." + peer, 1),
          Reason.TRUNCATED_FRAME,
          "closed inside a frame");
    }

    assertThat(refused.count(Reason.MALFORMED_FRAME)).isEqualTo(1_000);
    assertThat(refused.count(Reason.TRUNCATED_FRAME)).isEqualTo(19);
    assertThat(refused.total()).isEqualTo(1_019);
    assertThat(warnings())
        .hasSize(RefusedConnections.LINES_PER_WINDOW)
        .first()
        .asString()
        .isEqualTo("test-limit: refused connection from /127.0.0.1:40000: malformed-frame: bad 0");
    assertThat(appender.list).allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull());
  }

  @Test
  void theCounterIsInTheMeterRegistryWithBoundedTags() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RefusedConnections.bindTo(registry);
    RefusedConnections refused = RefusedConnections.of("test-meter");
    refused.refuse(null, Reason.OVERSIZED_FRAME, "16 MiB");
    refused.refuse(null, Reason.OVERSIZED_FRAME, "16 MiB");

    assertThat(
            registry
                .get(RefusedConnections.METER_NAME)
                .tags("transport", "test-meter", "reason", "oversized-frame")
                .functionCounter()
                .count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .find(RefusedConnections.METER_NAME)
                .tag("transport", "test-meter")
                .functionCounters())
        .hasSize(Reason.values().length);
  }

  @Test
  void aKindIsAShortLowerCaseName() {
    Assertions.assertThatThrownBy(() -> RefusedConnections.of("My Gateway"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "kind: 'My Gateway' (expected: lower case letters, digits, '.', '-', at most 32)");
  }

  @Test
  void anHttpServerCountsRequestsItsDecoderCannotReadAndStillAnswers400() throws Exception {
    // the README's snippet: a Netty HTTP server (the gateway's ports) counting what it refuses
    RefusedConnections refused = RefusedConnections.of("test-http");
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .doOnChannelInit(refused::watchHttp)
            .handle((request, response) -> response.sendString(Mono.just("ok")))
            .bindNow();
    try {
      String answer =
          send(
              server.port(),
              "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 4");
      assertThat(refused.count(Reason.OVERSIZED_FRAME)).isEqualTo(1);
      assertThat(send(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
      assertThat(refused.total()).isEqualTo(1);
    } finally {
      server.disposeNow();
    }
  }

  @Test
  void theAdminEndpointCountsMalformedRequests() throws Exception {
    Service service =
        Service.builder("refusing-admin")
            .set("vireo.transport", "memory")
            .set("vireo.admin.port", "0")
            .build()
            .start();
    try {
      long before = RefusedConnections.of("admin").total();
      int port = service.adminAddress().orElseThrow().getPort();
      assertThat(send(port, "GET /health HTTP/1.1\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n"))
          .startsWith("HTTP/1.1 4");
      assertThat(RefusedConnections.of("admin").total()).isEqualTo(before + 1);
    } finally {
      service.stop();
    }
  }

  private static String send(int port, String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[256];
      int read = in.read(buffer);
      return read <= 0 ? "" : new String(buffer, 0, read, StandardCharsets.US_ASCII);
    }
  }
}
