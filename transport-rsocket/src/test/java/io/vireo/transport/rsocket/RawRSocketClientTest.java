package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.exceptions.CustomRSocketException;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import io.vireo.Call;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A plain rsocket-java client, with no Vireo class on its call path, calls a real Vireo service by
 * following the wire conventions of the README.
 */
class RawRSocketClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  record HelloRequest(String name) {}

  record HelloReply(String message) {}

  @RpcService("vireo.test.Greeter")
  public interface Greeter {
    Mono<HelloReply> sayHello(HelloRequest request);

    Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests);

    Flux<HelloReply> lotsOfReplies(HelloRequest request);

    Mono<HelloReply> whoAmI(HelloRequest request);
  }

  static final class GreeterImpl implements Greeter {
    @Override
    public Mono<HelloReply> sayHello(HelloRequest request) {
      if (request.name().equals("nobody")) {
        return Mono.error(
            VireoException.of(Status.NOT_FOUND, "no such person: %s", request.name()));
      }
      return Mono.just(new HelloReply("Hello, " + request.name()));
    }

    @Override
    public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
      return requests
          .map(HelloRequest::name)
          .collectList()
          .map(
              names ->
                  new HelloReply(
                      "Hello, " + (names.isEmpty() ? "nobody" : String.join(" and ", names))));
    }

    @Override
    public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
      return Flux.range(1, 3).map(i -> new HelloReply("Hello " + i + ", " + request.name()));
    }

    @Override
    public Mono<HelloReply> whoAmI(HelloRequest request) {
      return Call.current()
          .map(
              call ->
                  new HelloReply(
                      call.headers().get("x-tenant").orElse("-")
                          + " "
                          + call.headers().get("authorization").orElse("-")));
    }
  }

  private Service service;
  private RSocket raw;

  @BeforeEach
  void startServiceAndConnectRawClient() {
    service =
        Service.builder("raw-greeter")
            .handle(Greeter.class, new GreeterImpl())
            .set("vireo.transport", "rsocket")
            .set("vireo.codec", "json")
            .set("vireo.server.shutdown-timeout", "2s")
            .build()
            .start();
    ServiceInstance instance = service.instance().orElseThrow();
    assertThat(instance.transport()).isEqualTo("rsocket");

    raw =
        RSocketConnector.create()
            .metadataMimeType("message/x.rsocket.composite-metadata.v0")
            .dataMimeType("application/json")
            .connect(TcpClientTransport.create(instance.host(), instance.port()))
            .block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    raw.dispose();
    service.stop();
  }

  @Test
  void rawClientCallsAVireoServiceAndGetsJsonBack() {
    Mono<String> reply =
        raw.requestResponse(
                request("vireo.test.Greeter.SayHello", "{\"name\":\"raw\"}", null, null))
            .map(RawRSocketClientTest::dataAndRelease);

    StepVerifier.create(reply)
        .expectNext("{\"message\":\"Hello, raw\"}")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void rawClientHeadersAndBearerTokenReachTheHandler() {
    Payload request =
        request(
            "vireo.test.Greeter.WhoAmI",
            "{\"name\":\"me\"}",
            "s3cret",
            "x-tenant: acme\nvireo-timeout: 5000\n");

    StepVerifier.create(raw.requestResponse(request).map(RawRSocketClientTest::dataAndRelease))
        .expectNext("{\"message\":\"acme Bearer s3cret\"}")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void rawClientStreamsRequestsOverAChannelAfterAHeadPayload() {
    Flux<Payload> payloads =
        Flux.just(
            request("vireo.test.Greeter.LotsOfGreetings", "", null, null),
            data("{\"name\":\"a\"}"),
            data("{\"name\":\"b\"}"));

    StepVerifier.create(raw.requestChannel(payloads).map(RawRSocketClientTest::dataAndRelease))
        .expectNext("{\"message\":\"Hello, a and b\"}")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void rawClientChannelWithOnlyTheHeadIsAnEmptyRequestStream() {
    Flux<Payload> payloads =
        Flux.just(request("vireo.test.Greeter.LotsOfGreetings", "", null, null));

    StepVerifier.create(raw.requestChannel(payloads).map(RawRSocketClientTest::dataAndRelease))
        .expectNext("{\"message\":\"Hello, nobody\"}")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void rawClientReceivesAServerStream() {
    StepVerifier.create(
            raw.requestStream(
                    request("vireo.test.Greeter.LotsOfReplies", "{\"name\":\"s\"}", null, null))
                .map(RawRSocketClientTest::dataAndRelease))
        .expectNext(
            "{\"message\":\"Hello 1, s\"}",
            "{\"message\":\"Hello 2, s\"}",
            "{\"message\":\"Hello 3, s\"}")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void unknownRouteIsErrorCode0x30c() {
    StepVerifier.create(
            raw.requestResponse(request("vireo.test.Greeter.NoSuchMethod", "{}", null, null)))
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(CustomRSocketException.class);
              assertThat(((CustomRSocketException) error).errorCode()).isEqualTo(0x30C);
              assertThat(error.getMessage()).contains("NoSuchMethod");
            })
        .verify(TIMEOUT);
  }

  @Test
  void handlerStatusIsErrorCode0x300PlusStatusWithItsMessage() {
    StepVerifier.create(
            raw.requestResponse(
                request("vireo.test.Greeter.SayHello", "{\"name\":\"nobody\"}", null, null)))
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(CustomRSocketException.class);
              assertThat(((CustomRSocketException) error).errorCode())
                  .isEqualTo(0x300 + Status.NOT_FOUND.code());
              assertThat(error.getMessage()).isEqualTo("no such person: nobody");
            })
        .verify(TIMEOUT);
  }

  /** A request payload with composite metadata built by rsocket-java's own codecs. */
  private static Payload request(
      String route, String json, @Nullable String bearerToken, @Nullable String headerLines) {
    CompositeByteBuf metadata = ALLOC.compositeBuffer();
    CompositeMetadataCodec.encodeAndAddMetadata(
        metadata,
        ALLOC,
        WellKnownMimeType.MESSAGE_RSOCKET_ROUTING,
        TaggingMetadataCodec.createTaggingContent(ALLOC, List.of(route)));
    if (bearerToken != null) {
      CompositeMetadataCodec.encodeAndAddMetadata(
          metadata,
          ALLOC,
          WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION,
          AuthMetadataCodec.encodeBearerMetadata(ALLOC, bearerToken.toCharArray()));
    }
    if (headerLines != null) {
      CompositeMetadataCodec.encodeAndAddMetadata(
          metadata, ALLOC, "message/x.vireo.headers.v0", ByteBufUtil.writeUtf8(ALLOC, headerLines));
    }
    ByteBuf data = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
    return ByteBufPayload.create(data, metadata);
  }

  private static Payload data(String json) {
    return ByteBufPayload.create(json);
  }

  private static String dataAndRelease(Payload payload) {
    try {
      return payload.getDataUtf8();
    } finally {
      payload.release();
    }
  }
}
