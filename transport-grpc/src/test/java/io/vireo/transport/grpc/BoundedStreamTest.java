package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Connection;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import io.vireo.transport.Server;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A million-message stream between a fast producer and a slow consumer, over real sockets: what the
 * producer makes ahead of the consumer's demand stays bounded, in both directions.
 *
 * <p>gRPC bounds it in bytes: the receiver's HTTP/2 window (64 KiB here) plus the sender's on-ready
 * threshold (32 KiB) plus the prefetch (64 messages). With 100-byte payloads (105 on the wire) that
 * is at most about 1,000 messages; the tests allow {@value #AHEAD}.
 */
@Timeout(120)
class BoundedStreamTest {
  private static final int MESSAGES = 1_000_000;
  private static final int AHEAD = 2_000;
  private static final byte[] PAYLOAD = new byte[100];
  private static final Route ROUTE = Route.of("vireo.test.Bounded", "Numbers");

  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong consumed = new AtomicLong();
  private GrpcTransport transport;
  private Server server;
  private Connection connection;

  @BeforeEach
  void start() {
    transport = GrpcTransport.builder().flowControlWindow(64 * 1024).build();
    server =
        transport
            .serve(new InetSocketAddress("127.0.0.1", 0), new Numbers())
            .block(Duration.ofSeconds(10));
    connection =
        transport
            .connect(
                new ServiceInstance(
                    "bounded",
                    "bounded-1",
                    "127.0.0.1",
                    server.address().getPort(),
                    "grpc",
                    "1",
                    ServiceInstance.DEFAULT_WEIGHT,
                    Map.of(),
                    List.of()))
            .block(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    connection.dispose();
    server.dispose();
    transport.close().block(Duration.ofSeconds(10));
  }

  @Test
  void serverStreamToASlowClientStaysWithinItsWindowAndThenDeliversEverything() {
    SlowSubscriber client = new SlowSubscriber();
    connection.requestStream(Frame.head(ROUTE, Wire.PROTOBUF, Headers.empty())).subscribe(client);

    // slowly: 100 at a time, each step only once the last has arrived
    for (int step = 1; step <= 10; step++) {
      client.request(100);
      long requested = step * 100L;
      await().atMost(Duration.ofSeconds(10)).until(() -> client.received.get() == requested);
      assertThat(produced.get())
          .as("produced with %d requested", requested)
          .isLessThanOrEqualTo(requested + AHEAD);
    }
    // with demand stopped, the producer stops too
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> produced.get() <= 1_000 + AHEAD);
    assertThat(client.received.get()).isEqualTo(1_000);

    // then everything, still no further ahead of what has arrived than the window allows
    client.request(Long.MAX_VALUE);
    await().atMost(Duration.ofSeconds(90)).until(() -> client.completed);
    assertThat(client.received.get()).isEqualTo(MESSAGES);
    assertThat(client.maxAhead.get()).isLessThanOrEqualTo(AHEAD);
  }

  @Test
  void channelRequestsToASlowServerStayWithinItsWindow() {
    AtomicLong sent = new AtomicLong();
    Flux<byte[]> requests =
        Flux.range(0, MESSAGES).doOnNext(i -> sent.incrementAndGet()).map(i -> PAYLOAD);

    // the server takes 1,000 requests, asking for 100 at a time, then answers
    StepVerifier.create(
            connection.requestChannel(
                Frame.head(
                    Route.of("vireo.test.Bounded", "TakeThousand"), Wire.PROTOBUF, Headers.empty()),
                requests))
        .expectNextCount(1)
        .expectComplete()
        .verify(Duration.ofSeconds(30));

    assertThat(consumed.get()).isEqualTo(1_000);
    assertThat(sent.get()).isBetween(1_000L, 1_000L + AHEAD);
  }

  /** Requests only when told; records how far the producer ran ahead of what arrived. */
  private final class SlowSubscriber extends BaseSubscriber<byte[]> {
    final AtomicLong received = new AtomicLong();
    final AtomicLong maxAhead = new AtomicLong();
    volatile boolean completed;

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      // no demand until the test asks
    }

    @Override
    protected void hookOnNext(byte[] value) {
      long got = received.incrementAndGet();
      maxAhead.accumulateAndGet(produced.get() - got, Math::max);
    }

    @Override
    protected void hookOnComplete() {
      completed = true;
    }
  }

  /**
   * A producer as fast as its demand allows, counting what it produced; a consumer counting what it
   * took.
   */
  private final class Numbers implements Dispatcher {
    @Override
    public Map<Route, CallKind> routes() {
      return Map.of(
          ROUTE,
          CallKind.SERVER_STREAM,
          Route.of("vireo.test.Bounded", "TakeThousand"),
          CallKind.CLIENT_STREAM);
    }

    @Override
    public int maxMessageSize() {
      return GrpcTransport.DEFAULT_MAX_MESSAGE_SIZE;
    }

    @Override
    public Flux<byte[]> requestStream(Frame request) {
      return Flux.range(0, MESSAGES).doOnNext(i -> produced.incrementAndGet()).map(i -> PAYLOAD);
    }

    @Override
    public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
      return requests
          .limitRate(100)
          .take(1_000)
          .doOnNext(request -> consumed.incrementAndGet())
          .count()
          .map(count -> Long.toString(count).getBytes(StandardCharsets.UTF_8))
          .flux();
    }

    @Override
    public Mono<byte[]> requestResponse(Frame request) {
      return Mono.error(VireoException.of(Status.UNIMPLEMENTED, "no unary here"));
    }

    @Override
    public Mono<Void> fireAndForget(Frame request) {
      return Mono.error(VireoException.of(Status.UNIMPLEMENTED, "no fire-and-forget here"));
    }
  }
}
