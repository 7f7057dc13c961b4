package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.vireo.Service;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.security.Principal;
import io.vireo.transport.grpc.greeter.GreeterGrpc;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The seed's token shape: gRPC metadata {@code token: 101010}, no scheme. With {@code
 * vireo.server.auth.header=token} and {@code vireo.server.auth.scheme=none} a stock grpc-java
 * client sending that calls a Vireo service; a Vireo client with the same {@code
 * vireo.client.auth.*} keys sends it so.
 */
class SeedTokenTest {
  private final MemoryRegistry registry = MemoryRegistry.newStore();
  private Service service;
  private ManagedChannel channel;

  /** Answers who called. */
  static final class WhoCalled implements Greeter {
    @Override
    public Mono<HelloReply> sayHello(HelloRequest request) {
      return Principal.current()
          .map(p -> HelloReply.newBuilder().setMessage("Hello, " + p.subject()).build());
    }

    @Override
    public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
      return Flux.empty();
    }

    @Override
    public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
      return Mono.empty();
    }

    @Override
    public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
      return Flux.empty();
    }
  }

  @BeforeEach
  void start() {
    service =
        Service.builder("greeter")
            .registry(registry.handle())
            .set("vireo.transport", "grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .set("vireo.wrappers", "auth")
            .set("vireo.server.auth.header", "token")
            .set("vireo.server.auth.scheme", "none")
            .set("vireo.server.auth.static.seed.token", "101010")
            .handle(Greeter.class, new WhoCalled())
            .build()
            .start();
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", service.instance().orElseThrow().port())
            .usePlaintext()
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    service.stop();
  }

  private GreeterGrpc.GreeterBlockingStub stub(String key, String value) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
    return GreeterGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
  }

  @Test
  void aStockClientSendingMetadataTokenWithoutASchemeIsLetIn() {
    assertThat(stub("token", "101010").sayHello(request("x")).getMessage())
        .isEqualTo("Hello, seed");
  }

  @Test
  void aWrongTokenOrTheDefaultHeaderIsUnauthenticated() {
    assertThatThrownBy(() -> stub("token", "999").sayHello(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> stub("authorization", "Bearer 101010").sayHello(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).contains("header token: <token>");
            });
  }

  @Test
  void aVireoClientConfiguredSoSendsTheSameShape() {
    Service caller =
        Service.builder("caller")
            .registry(registry.handle())
            .set("vireo.transport", "grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .set("vireo.wrappers", "auth")
            .set("vireo.client.auth.header", "token")
            .set("vireo.client.auth.scheme", "none")
            .set("vireo.client.auth.token", "101010")
            .build()
            .start();
    try {
      HelloReply reply =
          caller
              .client("greeter", Greeter.class)
              .sayHello(request("x"))
              .block(Duration.ofSeconds(10));
      assertThat(reply.getMessage()).isEqualTo("Hello, seed");
    } finally {
      caller.stop();
    }
  }
}
