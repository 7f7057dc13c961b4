package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.contract.ContractDispatcher;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import io.vireo.transport.Server;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every Netty buffer the transport takes is released: traffic of every kind, errors, cancellations
 * and refused payloads, then garbage collection, and Netty's paranoid leak detector reports
 * nothing.
 */
class BufferReleaseTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX = 64 * 1024;

  private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();
  private Logger leakLogger;
  private Level previousLevel;

  @BeforeEach
  void captureLeakReports() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    previousLevel = leakLogger.getLevel();
    leakLogger.setLevel(Level.ERROR);
    leaks.start();
    leakLogger.addAppender(leaks);
  }

  @AfterEach
  void stopCapturing() {
    leakLogger.detachAppender(leaks);
    leakLogger.setLevel(previousLevel);
  }

  @Test
  void releasesEveryBufferOnEveryPath() {
    RSocketTransport transport =
        RSocketTransport.of(
            Config.of(Map.of(RSocketTransport.MAX_MESSAGE_SIZE_KEY, Integer.toString(MAX))));
    ContractDispatcher dispatcher = new ContractDispatcher(MAX / 2);
    Server server =
        transport.serve(new InetSocketAddress("127.0.0.1", 0), dispatcher).block(TIMEOUT);
    Connection connection =
        transport
            .connect(
                new ServiceInstance(
                    "leaks",
                    "leaks-1",
                    "127.0.0.1",
                    server.address().getPort(),
                    "rsocket",
                    "1",
                    100,
                    Map.of(),
                    List.of()))
            .block(TIMEOUT);
    try {
      for (int round = 0; round < 20; round++) {
        Headers headers =
            Headers.of("authorization", "Bearer t", "x-round", Integer.toString(round));
        connection.requestResponse(frame("Echo", headers, "hello " + round)).block(TIMEOUT);
        connection
            .requestResponse(frame("Fail", headers, "NOT_FOUND:gone"))
            .onErrorResume(e -> Mono.empty())
            .block(TIMEOUT);
        connection
            .requestResponse(frame("Crash", headers, "x"))
            .onErrorResume(e -> Mono.empty())
            .block(TIMEOUT);
        // over the server's limit, under the client's: refused by the server after it arrived
        connection
            .requestResponse(
                new Frame(route("Echo"), "application/json", headers, new byte[MAX / 2 + 1]))
            .onErrorResume(e -> Mono.empty())
            .block(TIMEOUT);
        connection.fireAndForget(frame("Fire", headers, "f")).block(TIMEOUT);
        connection.requestStream(frame("Count", headers, "50")).blockLast(TIMEOUT);
        connection.requestStream(frame("Forever", headers, "")).take(5).blockLast(TIMEOUT);
        connection
            .requestChannel(
                Frame.head(route("Upper"), "application/x-protobuf", headers),
                Flux.range(0, 20).map(i -> ("m" + i).getBytes(StandardCharsets.UTF_8)))
            .blockLast(TIMEOUT);
        connection
            .requestChannel(
                Frame.head(route("TakeTen"), "application/x-protobuf", headers),
                Flux.range(0, 1000).map(i -> new byte[100]))
            .blockLast(TIMEOUT);
      }
    } finally {
      connection.dispose();
      server.dispose();
    }

    // The detector reports a leaked buffer when it allocates after the buffer was collected.
    for (int i = 0; i < 5; i++) {
      System.gc();
      for (int j = 0; j < 100; j++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        probe.release();
      }
    }
    assertThat(leaks.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .noneMatch(message -> message.contains("LEAK"));
  }

  private static Route route(String method) {
    return ContractDispatcher.route(method);
  }

  private static Frame frame(String method, Headers headers, String data) {
    return new Frame(
        route(method), "application/x-protobuf", headers, data.getBytes(StandardCharsets.UTF_8));
  }
}
