package io.vireo.testing.contract;

import static io.vireo.testing.contract.ContractDispatcher.bytes;
import static io.vireo.testing.contract.ContractDispatcher.route;
import static io.vireo.testing.contract.ContractDispatcher.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import io.vireo.transport.Server;
import io.vireo.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The behaviour every {@link Transport} must have, written once. A transport's test extends it and
 * says how to make the transport:
 *
 * <pre>{@code
 * class RSocketTransportContractTest extends TransportContract {
 *   @Override
 *   protected Transport transport() {
 *     return RSocketTransport.of(Config.of(Map.of(
 *         "vireo.transport.max-message-size", Integer.toString(maxMessageSize()))));
 *   }
 * }
 * }</pre>
 *
 * <p>Each test starts a real server with a {@link ContractDispatcher} on 127.0.0.1, port 0, and
 * connects one client {@link Connection} to it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportContract {
  /** The longest any single step may take. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How many messages a producer may run ahead of the consumer's demand. */
  protected static final int PREFETCH_BOUND = 512;

  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";

  private final List<Server> servers = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private Transport transport;
  private ContractDispatcher dispatcher;
  private Connection connection;

  /**
   * A new transport under test, configured with {@code vireo.transport.max-message-size} = {@link
   * #maxMessageSize()}.
   */
  protected abstract Transport transport();

  /** The largest message the transport is configured for; at least 1 MiB. Default 2 MiB. */
  protected int maxMessageSize() {
    return 2 * 1024 * 1024;
  }

  @BeforeEach
  void startServerAndConnect() {
    transport = transport();
    dispatcher = new ContractDispatcher(maxMessageSize());
    connection = connect(serve(dispatcher));
  }

  @AfterEach
  void closeEverything() {
    connections.forEach(Connection::dispose);
    servers.forEach(Server::dispose);
    transport.close().block(TIMEOUT);
  }

  @Test
  void unaryCallEchoesThePayload() {
    StepVerifier.create(
            connection.requestResponse(frame("Echo", "hello")).map(ContractDispatcher::text))
        .expectNext("hello")
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(connection.requestResponse(frame("Echo", "")))
        .assertNext(response -> assertThat(response).isEmpty())
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void fireAndForgetArrivesWithItsHeaders() {
    Frame fire = new Frame(route("Fire"), PROTOBUF, Headers.of("x-event", "e-1"), bytes("ping"));
    StepVerifier.create(connection.fireAndForget(fire)).expectComplete().verify(TIMEOUT);

    await().atMost(TIMEOUT).until(() -> !dispatcher.fired().isEmpty());
    Frame arrived = dispatcher.fired().poll();
    assertThat(arrived.route()).isEqualTo(route("Fire"));
    assertThat(text(arrived.data())).isEqualTo("ping");
    assertThat(arrived.headers().get("x-event")).contains("e-1");
  }

  @Test
  void serverStreamDeliversEveryMessageInOrder() {
    StepVerifier.create(connection.requestStream(frame("Count", "5")).map(ContractDispatcher::text))
        .expectNext("0", "1", "2", "3", "4")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void serverStreamErrorArrivesAfterTheMessagesBeforeIt() {
    StepVerifier.create(
            connection.requestStream(frame("FailAfterTwo", "")).map(ContractDispatcher::text))
        .expectNext("one", "two")
        .expectErrorSatisfies(error -> assertStatus(error, Status.FAILED_PRECONDITION, "no third"))
        .verify(TIMEOUT);
  }

  @Test
  void clientStreamCollectsEveryRequest() {
    Flux<byte[]> requests = Flux.just("a", "b", "c").map(ContractDispatcher::bytes);
    StepVerifier.create(
            connection.requestChannel(head("Collect"), requests).map(ContractDispatcher::text))
        .expectNext("3:a,b,c")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void clientStreamWithNoRequestsIsExpressible() {
    StepVerifier.create(
            connection.requestChannel(head("Collect"), Flux.empty()).map(ContractDispatcher::text))
        .expectNext("0:")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void emptyRequestMessagesInAChannelAreMessages() {
    Flux<byte[]> requests = Flux.just(new byte[0], new byte[0]);
    StepVerifier.create(
            connection.requestChannel(head("Collect"), requests).map(ContractDispatcher::text))
        .expectNext("2:,")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void bidiStreamAnswersEachRequest() {
    Flux<byte[]> requests = Flux.just("a", "b", "c").map(ContractDispatcher::bytes);
    StepVerifier.create(
            connection.requestChannel(head("Upper"), requests).map(ContractDispatcher::text))
        .expectNext("A", "B", "C")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void headersContentTypeAndDeadlineArriveIntact() {
    Headers headers =
        Headers.of(
            "authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
            "vireo-timeout", "1500",
            "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "vireo-caller", "contract-client",
            "x-tenant", "acme: east wing",
            "x-unicode", "caf\u00e9 \u2603");
    Frame request = new Frame(route("Describe"), JSON, headers, new byte[0]);

    StepVerifier.create(connection.requestResponse(request).map(response -> parse(text(response))))
        .assertNext(
            described -> {
              assertThat(described).containsEntry("content-type", JSON);
              assertArrived(headers, described);
              assertThat(described).hasSize(headers.size() + 1);
            })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void eachRequestKeepsItsOwnContentType() {
    for (String contentType :
        List.of(PROTOBUF, JSON, PROTOBUF, "application/vnd.vireo.custom+json")) {
      Frame request = new Frame(route("Describe"), contentType, Headers.empty(), new byte[0]);
      StepVerifier.create(
              connection.requestResponse(request).map(response -> parse(text(response))))
          .assertNext(
              described ->
                  assertThat(described).containsExactly(Map.entry("content-type", contentType)))
          .expectComplete()
          .verify(TIMEOUT);
    }
  }

  @Test
  void channelHeadCarriesTheHeaders() {
    Headers headers =
        Headers.of("authorization", "Bearer t0k3n", "vireo-timeout", "900", "x-id", "7");
    Frame head = Frame.head(route("DescribeChannel"), JSON, headers);
    Flux<byte[]> requests = Flux.just("x", "y").map(ContractDispatcher::bytes);

    StepVerifier.create(
            connection.requestChannel(head, requests).map(response -> parse(text(response))))
        .assertNext(
            described -> {
              assertThat(described).containsEntry("content-type", JSON);
              assertArrived(headers, described);
              assertThat(described).containsEntry("messages", "2");
            })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void errorStatusesCrossWithTheirMessage() {
    for (Status status : Status.values()) {
      if (status == Status.OK) {
        continue;
      }
      String message = "failed with " + status.name().toLowerCase(Locale.ROOT) + " \u2014 details";
      StepVerifier.create(connection.requestResponse(frame("Fail", status.name() + ":" + message)))
          .expectErrorSatisfies(error -> assertStatus(error, status, message))
          .verify(TIMEOUT);
    }
  }

  @Test
  void unknownRouteIsUnimplemented() {
    StepVerifier.create(connection.requestResponse(frame("NoSuchMethod", "")))
        .expectErrorSatisfies(error -> assertStatus(error, Status.UNIMPLEMENTED, "NoSuchMethod"))
        .verify(TIMEOUT);
  }

  @Test
  void dispatcherFailureIsInternalAndTheConnectionKeepsServing() {
    StepVerifier.create(connection.requestResponse(frame("Crash", "signal")))
        .expectErrorSatisfies(error -> assertStatus(error, Status.INTERNAL, "crashed on signal"))
        .verify(TIMEOUT);
    StepVerifier.create(connection.requestResponse(frame("Throw", "call")))
        .expectErrorSatisfies(error -> assertStatus(error, Status.INTERNAL, "threw on call"))
        .verify(TIMEOUT);
    StepVerifier.create(
            connection.requestResponse(frame("Echo", "still here")).map(ContractDispatcher::text))
        .expectNext("still here")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void cancellationReachesTheServerPublisher() {
    StepVerifier.create(connection.requestStream(frame("Forever", "")).take(3))
        .expectNextCount(3)
        .expectComplete()
        .verify(TIMEOUT);

    await().atMost(TIMEOUT).until(dispatcher::cancelled);
  }

  @Test
  void serverStreamProducesNoFasterThanTheClientRequests() {
    StepVerifier.create(connection.requestStream(frame("Count", "1000000")), 10)
        .expectNextCount(10)
        .thenCancel()
        .verify(TIMEOUT);

    await().atMost(TIMEOUT).until(dispatcher::cancelled);
    assertThat(dispatcher.produced()).isBetween(10L, 10L + PREFETCH_BOUND);
  }

  @Test
  void channelResponsesAreProducedNoFasterThanTheClientRequests() {
    StepVerifier.create(connection.requestChannel(head("ForeverChannel"), Flux.never()), 10)
        .expectNextCount(10)
        .thenCancel()
        .verify(TIMEOUT);

    await().atMost(TIMEOUT).until(dispatcher::cancelled);
    assertThat(dispatcher.produced()).isBetween(10L, 10L + PREFETCH_BOUND);
  }

  @Test
  void channelRequestsAreSentNoFasterThanTheServerConsumes() {
    AtomicLong sent = new AtomicLong();
    Flux<byte[]> requests =
        Flux.range(0, 1_000_000)
            .doOnNext(i -> sent.incrementAndGet())
            .map(i -> bytes(Integer.toString(i)));

    StepVerifier.create(connection.requestChannel(head("TakeTen"), requests))
        .expectNextCount(10)
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(dispatcher.consumed()).isEqualTo(10);
    assertThat(sent.get()).isBetween(10L, 10L + PREFETCH_BOUND);
  }

  @Test
  void largePayloadsCrossBothWays() {
    byte[] large = new byte[Math.min(1024 * 1024, maxMessageSize())];
    new Random(42).nextBytes(large);
    StepVerifier.create(
            connection.requestResponse(new Frame(route("Echo"), PROTOBUF, Headers.empty(), large)))
        .assertNext(response -> assertThat(response).isEqualTo(large))
        .expectComplete()
        .verify(TIMEOUT);
    String letters = "abcdefghijklmnopqrstuvwxyz".repeat(large.length / 26);
    StepVerifier.create(
            connection
                .requestChannel(head("Upper"), Flux.just(bytes(letters), bytes(letters)))
                .map(ContractDispatcher::text))
        .expectNext(letters.toUpperCase(Locale.ROOT), letters.toUpperCase(Locale.ROOT))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void oversizedPayloadIsResourceExhaustedAndTheConnectionServesTheNextCall() {
    byte[] oversized = new byte[maxMessageSize() + 1];
    StepVerifier.create(
            connection.requestResponse(
                new Frame(route("Echo"), PROTOBUF, Headers.empty(), oversized)))
        .expectErrorSatisfies(error -> assertStatus(error, Status.RESOURCE_EXHAUSTED, ""))
        .verify(TIMEOUT);
    StepVerifier.create(
            connection.requestResponse(frame("Echo", "next")).map(ContractDispatcher::text))
        .expectNext("next")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void oversizedChannelMessageIsResourceExhaustedAndTheConnectionServesTheNextCall() {
    Flux<byte[]> requests = Flux.just(bytes("fits"), new byte[maxMessageSize() + 1]);
    StepVerifier.create(connection.requestChannel(head("Collect"), requests))
        .expectErrorSatisfies(error -> assertStatus(error, Status.RESOURCE_EXHAUSTED, ""))
        .verify(TIMEOUT);
    StepVerifier.create(
            connection.requestResponse(frame("Echo", "next")).map(ContractDispatcher::text))
        .expectNext("next")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void serverRejectsARequestOverItsDispatcherLimit() {
    Connection small = connect(serve(new ContractDispatcher(1024)));
    StepVerifier.create(
            small.requestResponse(
                new Frame(route("Echo"), PROTOBUF, Headers.empty(), new byte[2048])))
        .expectErrorSatisfies(error -> assertStatus(error, Status.RESOURCE_EXHAUSTED, ""))
        .verify(TIMEOUT);
    StepVerifier.create(small.requestResponse(frame("Echo", "fits")).map(ContractDispatcher::text))
        .expectNext("fits")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void concurrentUnaryCallsAllSucceed() {
    Mono<List<String>> calls =
        Flux.range(0, 100)
            .flatMap(
                i ->
                    connection
                        .requestResponse(frame("Echo", "call-" + i))
                        .map(ContractDispatcher::text),
                100)
            .collectList();

    StepVerifier.create(calls)
        .assertNext(
            responses -> {
              assertThat(responses).hasSize(100);
              for (int i = 0; i < 100; i++) {
                assertThat(responses).contains("call-" + i);
              }
            })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void disposedServerClosesTheConnectionAndCallsFailUnavailable() {
    StepVerifier.create(connection.requestResponse(frame("Echo", "before")))
        .expectNextCount(1)
        .expectComplete()
        .verify(TIMEOUT);

    servers.get(0).dispose();

    StepVerifier.create(connection.onClose()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(connection.requestResponse(frame("Echo", "after")))
        .expectErrorSatisfies(error -> assertStatus(error, Status.UNAVAILABLE, ""))
        .verify(TIMEOUT);
    StepVerifier.create(connection.requestStream(frame("Count", "3")))
        .expectErrorSatisfies(error -> assertStatus(error, Status.UNAVAILABLE, ""))
        .verify(TIMEOUT);
  }

  @Test
  void disposedConnectionCompletesOnCloseAndFailsCallsUnavailable() {
    StepVerifier.create(connection.requestResponse(frame("Echo", "before")))
        .expectNextCount(1)
        .expectComplete()
        .verify(TIMEOUT);

    connection.dispose();

    StepVerifier.create(connection.onClose()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(connection.requestResponse(frame("Echo", "after")))
        .expectErrorSatisfies(error -> assertStatus(error, Status.UNAVAILABLE, ""))
        .verify(TIMEOUT);
  }

  @Test
  void connectingToAnAddressNobodyListensOnIsUnavailable() {
    Server gone = serve(new ContractDispatcher(1024));
    int port = gone.address().getPort();
    gone.dispose();
    StepVerifier.create(gone.onClose()).expectComplete().verify(TIMEOUT);

    StepVerifier.create(transport.connect(instance("127.0.0.1", port)))
        .expectErrorSatisfies(error -> assertStatus(error, Status.UNAVAILABLE, "127.0.0.1:" + port))
        .verify(TIMEOUT);
  }

  /** The server's transport, for subclasses' own tests. */
  protected final Transport currentTransport() {
    return transport;
  }

  /** A started server with {@code dispatcher} on 127.0.0.1, port 0; disposed after the test. */
  protected final Server serve(ContractDispatcher dispatcher) {
    Server server =
        transport.serve(new InetSocketAddress("127.0.0.1", 0), dispatcher).block(TIMEOUT);
    servers.add(server);
    return server;
  }

  /** A connection to {@code server}; disposed after the test. */
  protected final Connection connect(Server server) {
    Connection connected =
        transport
            .connect(instance(server.address().getHostString(), server.address().getPort()))
            .block(TIMEOUT);
    connections.add(connected);
    return connected;
  }

  protected final ServiceInstance instance(String host, int port) {
    return new ServiceInstance(
        "contract",
        "contract-" + port,
        host,
        port,
        transport.name(),
        "1.0.0",
        ServiceInstance.DEFAULT_WEIGHT,
        Map.of(),
        List.of());
  }

  protected static Frame frame(String method, String data) {
    return new Frame(route(method), PROTOBUF, Headers.empty(), bytes(data));
  }

  protected static Frame head(String method) {
    return Frame.head(route(method), PROTOBUF, Headers.empty());
  }

  /**
   * The error is a VireoException with {@code status} and a message containing {@code messagePart}.
   */
  protected static void assertStatus(Throwable error, Status status, String messagePart) {
    assertThat(error).isInstanceOf(VireoException.class);
    VireoException vireo = (VireoException) error;
    assertThat(vireo.status()).as("status of %s", vireo).isEqualTo(status);
    assertThat(vireo.getMessage()).contains(messagePart);
  }

  private static Map<String, String> parse(String described) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String line : described.split("\n")) {
      int colon = line.indexOf(": ");
      map.put(line.substring(0, colon), line.substring(colon + 2));
    }
    return map;
  }

  /**
   * Every header as it was sent, except the deadline: a transport may carry it as the time left
   * when the request arrived (gRPC's {@code grpc-timeout}), so it arrives as at most the
   * milliseconds sent, and more than none.
   */
  private static void assertArrived(Headers sent, Map<String, String> described) {
    Map<String, String> expected = new LinkedHashMap<>(sent.asMap());
    String timeout = expected.remove(Headers.TIMEOUT);
    assertThat(described).containsAllEntriesOf(expected);
    if (timeout != null) {
      assertThat(described).containsKey(Headers.TIMEOUT);
      assertThat(Long.parseLong(described.get(Headers.TIMEOUT)))
          .isPositive()
          .isLessThanOrEqualTo(Long.parseLong(timeout));
    }
  }
}
