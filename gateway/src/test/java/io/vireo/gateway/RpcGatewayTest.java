package io.vireo.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.vireo.Service;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.gateway.test.Book;
import io.vireo.gateway.test.CountRequest;
import io.vireo.gateway.test.GetBookRequest;
import io.vireo.gateway.test.LibraryGrpc;
import io.vireo.gateway.test.Ping;
import io.vireo.registry.Registry;
import io.vireo.registry.memory.MemoryRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/**
 * Real services (RSocket only) behind a real gateway, called with a real HTTP, WebSocket and gRPC
 * client.
 */
class RpcGatewayTest {
  static final Registry REGISTRY = MemoryRegistry.newStore();
  static final MemoryBroker BROKER = MemoryBroker.newStore(1000);
  static final List<Book> RECEIVED = new CopyOnWriteArrayList<>();
  static Service library;
  static Service canary;
  static Gateway gateway;

  @BeforeAll
  static void start() {
    library =
        Service.builder("library")
            .registry(REGISTRY)
            .broker(BROKER)
            .set("vireo.transport", "rsocket")
            .handle(Library.class, new LibraryImpl("library-1"))
            .subscribe(
                "book.added",
                Book.class,
                book -> {
                  RECEIVED.add(book);
                  return Mono.empty();
                })
            .build()
            .start();
    canary =
        Service.builder("library")
            .registry(REGISTRY)
            .broker(BROKER)
            .set("vireo.transport", "rsocket")
            .metadata("canary", "true")
            .handle(Library.class, new LibraryImpl("library-canary"))
            .build()
            .start();
    gateway =
        Gateway.builder()
            .registry(REGISTRY)
            .broker(BROKER)
            .port(0)
            .host("127.0.0.1")
            .set("vireo.transport", "rsocket")
            .set("vireo.gateway.discovery.enabled", "true")
            .set("vireo.gateway.max-body-size", "64KB")
            .set("vireo.gateway.services.library.canary.header", "x-canary")
            .set("vireo.gateway.routes[0].id", "gone")
            .set("vireo.gateway.routes[0].path", "/gone/**")
            .set("vireo.gateway.routes[0].service", "nobody-runs-this")
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    gateway.stop();
    canary.stop();
    library.stop();
  }

  @Test
  void aCanaryHeaderReachesOnlyTheCanaryInstance() {
    for (int i = 0; i < 6; i++) {
      assertThat(Http.post(gateway, "/library/GetBook", "{}", "x-canary", "true").body())
          .contains("/library-canary\"");
      assertThat(Http.post(gateway, "/library/GetBook", "{}").body()).contains("/library-1\"");
    }
  }

  @Test
  void unaryJsonByBothDefaultMappings() {
    HttpResponse<String> simple =
        Http.post(
            gateway,
            "/library/GetBook",
            "{\"shelf\":\"s1\",\"book\":\"b1\",\"limit\":3}",
            "x-tenant",
            "acme");
    assertThat(simple.statusCode()).isEqualTo(200);
    assertThat(simple.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(simple.body())
        .isEqualTo(
            "{\"name\":\"shelves/s1/books/b1\",\"title\":\"/3/acme/library-1\",\"pages\":3}");

    HttpResponse<String> full =
        Http.post(
            gateway,
            "/library/vireo.gateway.test.Library/CreateBook",
            "{\"shelf\":\"s2\",\"book\":{\"name\":\"b2\",\"title\":\"T\"}}");
    assertThat(full.statusCode()).isEqualTo(200);
    assertThat(full.body()).contains("\"name\":\"s2/b2\"").contains("\"title\":\"T\"");
  }

  @Test
  void httpRuleGetWithPathAndQueryParameters() {
    HttpResponse<String> response =
        Http.get(gateway, "/v1/shelves/fiction/books/dune?view=FULL&limit=7");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "{\"name\":\"shelves/fiction/books/dune\",\"title\":\"FULL/7/-/library-1\",\"pages\":7}");
    HttpResponse<String> put =
        Http.send(
            Http.request(gateway, "/v1/shelves/s3/books")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"b3\"}"))
                .build());
    assertThat(put.body()).contains("\"name\":\"shelves/s3/b3\"");
  }

  @Test
  void serverStreamAsNdjsonAndAsSse() {
    HttpResponse<String> ndjson =
        Http.post(gateway, "/library/Count", "{\"count\":3,\"prefix\":\"n\"}");
    assertThat(ndjson.headers().firstValue("content-type")).hasValue("application/x-ndjson");
    assertThat(ndjson.body())
        .isEqualTo(
            "{\"value\":\"1\",\"text\":\"n\"}\n{\"value\":\"2\",\"text\":\"n\"}\n{\"value\":\"3\",\"text\":\"n\"}\n");

    HttpResponse<String> sse =
        Http.post(gateway, "/library/Count", "{\"count\":2}", "accept", "text/event-stream");
    assertThat(sse.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(sse.body())
        .isEqualTo(
            "data: {\"value\":\"1\",\"text\":\"\"}\n\ndata: {\"value\":\"2\",\"text\":\"\"}\n\n");
  }

  @Test
  void clientStreamOverWebSocket() throws Exception {
    Socket socket = Socket.open(gateway, "/library/Add");
    socket.send("{\"value\":\"2\"}");
    socket.send("{\"value\":\"40\"}");
    socket.send("");
    assertThat(socket.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 OK");
    assertThat(socket.messages).containsExactly("{\"total\":\"42\",\"count\":2}");
  }

  @Test
  void bidiStreamOverWebSocketEndsWithTheStatusInTheCloseFrame() throws Exception {
    Socket socket = Socket.open(gateway, "/library/Echo");
    socket.send("{\"text\":\"a\"}");
    await().until(() -> socket.messages.size() == 1);
    socket.send("{\"text\":\"b\"}");
    socket.send("");
    assertThat(socket.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 OK");
    assertThat(socket.messages)
        .containsExactly(
            "{\"text\":\"echo a\",\"status\":\"\"}", "{\"text\":\"echo b\",\"status\":\"\"}");

    Socket bad = Socket.open(gateway, "/library/Echo");
    bad.send("{\"nope\":1}");
    assertThat(bad.closed.get(10, TimeUnit.SECONDS))
        .startsWith("4003 INVALID_ARGUMENT: ")
        .contains("nope");
  }

  @Test
  void eventPublishedAndReceived() {
    HttpResponse<String> response =
        Http.post(gateway, "/events/book.added?type=vireo.gateway.test.Book", "{\"name\":\"e1\"}");
    assertThat(response.statusCode()).isEqualTo(202);
    await().untilAsserted(() -> assertThat(RECEIVED).extracting(Book::getName).contains("e1"));
    assertThat(Http.post(gateway, "/events/book.added?type=no.Such", "{}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void stockGrpcStubThroughTheGatewayToAnRSocketOnlyService() throws Exception {
    assertThat(REGISTRY.instances("library").block())
        .allSatisfy(i -> assertThat(i.transport()).isEqualTo("rsocket"));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    try {
      LibraryGrpc.LibraryBlockingStub stub =
          LibraryGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      Book book =
          stub.getBook(GetBookRequest.newBuilder().setShelf("g").setBook("h").setLimit(1).build());
      assertThat(book.getName()).isEqualTo("shelves/g/books/h");
      List<Long> values = new ArrayList<>();
      stub.count(CountRequest.newBuilder().setCount(3).build())
          .forEachRemaining(n -> values.add(n.getValue()));
      assertThat(values).containsExactly(1L, 2L, 3L);
      StatusRuntimeException error =
          Assertions.catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  stub.fail(Ping.newBuilder().setStatus("PERMISSION_DENIED").setText("x").build()));
      assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(error.getStatus().getDescription()).contains("failed as asked: x");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static Stream<Arguments> statuses() {
    return Stream.of(
        Arguments.of("INVALID_ARGUMENT", 400),
        Arguments.of("UNAUTHENTICATED", 401),
        Arguments.of("PERMISSION_DENIED", 403),
        Arguments.of("NOT_FOUND", 404),
        Arguments.of("ALREADY_EXISTS", 409),
        Arguments.of("RESOURCE_EXHAUSTED", 429),
        Arguments.of("CANCELLED", 499),
        Arguments.of("INTERNAL", 500),
        Arguments.of("UNIMPLEMENTED", 501),
        Arguments.of("UNAVAILABLE", 503),
        Arguments.of("DEADLINE_EXCEEDED", 504));
  }

  @ParameterizedTest
  @MethodSource("statuses")
  void serviceErrorsAreJsonWithTheGoogleRpcHttpStatus(String status, int http) {
    HttpResponse<String> response =
        Http.post(gateway, "/library/Fail", "{\"status\":\"" + status + "\",\"text\":\"t\"}");
    assertThat(response.statusCode()).isEqualTo(http);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body())
        .isEqualTo("{\"code\":\"" + status + "\",\"message\":\"failed as asked: t\"}");
  }

  @Test
  void badInputIsAnErrorNamingWhatToFixAndTheGatewayKeepsServing() {
    HttpResponse<String> malformed = Http.post(gateway, "/library/GetBook", "{\"shelf\":");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).startsWith("{\"code\":\"INVALID_ARGUMENT\"");
    HttpResponse<String> unknownField =
        Http.post(gateway, "/library/GetBook", "{\"shelff\":\"x\"}");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("shelff");
    HttpResponse<String> noService = Http.post(gateway, "/nosuch/GetBook", "{}");
    assertThat(noService.statusCode()).isEqualTo(404);
    assertThat(noService.body()).contains("NOT_FOUND").contains("nosuch");
    HttpResponse<String> noMethod = Http.post(gateway, "/library/Burn", "{}");
    assertThat(noMethod.statusCode()).isEqualTo(404);
    assertThat(noMethod.body()).contains("no method Burn");
    HttpResponse<String> tooLarge =
        Http.post(gateway, "/library/GetBook", "{\"shelf\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    HttpResponse<String> noInstance = Http.post(gateway, "/gone/GetBook", "{}");
    assertThat(noInstance.statusCode()).isEqualTo(503);
    assertThat(noInstance.body()).contains("UNAVAILABLE");
    HttpResponse<String> timeout =
        Http.post(gateway, "/library/Fail", "{\"status\":\"SLOW\"}", "x-request-timeout", "200ms");
    assertThat(timeout.statusCode()).isEqualTo(504);
    assertThat(timeout.body()).contains("DEADLINE_EXCEEDED");
    assertThat(Http.post(gateway, "/library/GetBook", "{}").statusCode()).isEqualTo(200);
  }

  @Test
  void aChunkedBodyIsReadWholeAndOverTheLimitIs413WithoutAContentLength() {
    // no Content-Length: the body comes in chunks of 1,000 bytes, the limit is checked as they come
    String json = "{\"shelf\":\"" + "s".repeat(5_000) + "\",\"book\":\"b1\",\"limit\":3}";
    HttpResponse<String> whole =
        Http.send(
            Http.request(gateway, "/library/GetBook")
                .POST(chunked(json.getBytes(StandardCharsets.UTF_8)))
                .build());
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).startsWith("{\"name\":\"shelves/" + "s".repeat(5_000) + "/books/b1\"");

    byte[] large = ("{\"shelf\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> tooLarge =
        Http.send(Http.request(gateway, "/library/GetBook").POST(chunked(large)).build());
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("RESOURCE_EXHAUSTED");
    assertThat(Http.post(gateway, "/library/GetBook", "{}").statusCode()).isEqualTo(200);
  }

  /** A body of unknown length (sent chunked), in pieces of 1,000 bytes. */
  private static HttpRequest.BodyPublisher chunked(byte[] body) {
    List<byte[]> pieces = new ArrayList<>();
    for (int at = 0; at < body.length; at += 1_000) {
      pieces.add(Arrays.copyOfRange(body, at, Math.min(body.length, at + 1_000)));
    }
    return HttpRequest.BodyPublishers.ofByteArrays(pieces);
  }

  /** A java.net.http WebSocket that collects text frames and the close code and reason. */
  static final class Socket implements WebSocket.Listener {
    final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static Socket open(Gateway gateway, String path) throws Exception {
      Socket listener = new Socket();
      listener.socket =
          Http.CLIENT
              .newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + path), listener)
              .get(10, TimeUnit.SECONDS);
      return listener;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
