package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.reply;
import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vireo.CallOptions;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.grpc.greeter.GreeterGrpc;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A Vireo client proxy (vireo.transport=grpc) calls a stock grpc-java server running
 * GreeterImplBase.
 */
class VireoClientCallsStockServerTest {
  private static final Context.Key<String> TENANT = Context.key("tenant");
  private static final Metadata.Key<String> TENANT_HEADER =
      Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);

  private static Server stock;
  private static MemoryRegistry registry;
  private static Service caller;
  private static Greeter greeter;

  @BeforeAll
  static void start() throws Exception {
    ServerInterceptor tenant =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String value = headers.get(TENANT_HEADER);
            return Contexts.interceptCall(
                Context.current().withValue(TENANT, value == null ? "none" : value),
                call,
                headers,
                next);
          }
        };
    stock =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(new StockGreeter(), tenant))
            .build()
            .start();
    registry = MemoryRegistry.newStore();
    registry
        .register(
            instance("stock-1", ((InetSocketAddress) stock.getListenSockets().get(0)).getPort()))
        .block(Duration.ofSeconds(5));
    caller =
        Service.builder("caller")
            .set("vireo.transport", "grpc")
            .set("vireo.client.retries", "0")
            .registry(registry)
            .build()
            .start();
    greeter = caller.client("greeter", Greeter.class);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    caller.stop();
    stock.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static ServiceInstance instance(String id, int port) {
    return new ServiceInstance(
        "greeter",
        id,
        "127.0.0.1",
        port,
        "grpc",
        "1.0.0",
        ServiceInstance.DEFAULT_WEIGHT,
        Map.of(),
        List.of());
  }

  @Test
  void unary() {
    StepVerifier.create(greeter.sayHello(request("Ada")).map(HelloReply::getMessage))
        .expectNext("Stock hello, Ada")
        .verifyComplete();
  }

  @Test
  void serverStream() {
    StepVerifier.create(greeter.lotsOfReplies(request("Ada")).map(HelloReply::getMessage))
        .expectNext("Stock #1, Ada", "Stock #2, Ada", "Stock #3, Ada")
        .verifyComplete();
  }

  @Test
  void clientStream() {
    StepVerifier.create(
            greeter
                .lotsOfGreetings(Flux.just("Ada", "Grace").map(TestGreeter::request))
                .map(HelloReply::getMessage))
        .expectNext("Stock hello, Ada & Grace")
        .verifyComplete();
  }

  @Test
  void bidiStream() {
    StepVerifier.create(
            greeter
                .bidiHello(Flux.just("Ada", "Grace", "Barbara").map(TestGreeter::request))
                .map(HelloReply::getMessage))
        .expectNext("Stock hi, Ada", "Stock hi, Grace", "Stock hi, Barbara")
        .verifyComplete();
  }

  @Test
  void grpcStatusArrivesAsVireoExceptionWithTheSameCodeAndDescription() {
    StepVerifier.create(greeter.sayHello(request("missing")))
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(VireoException.class);
              assertThat(((VireoException) e).status()).isEqualTo(Status.NOT_FOUND);
              assertThat(e).hasMessage("stock server knows no missing");
            })
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void headersTravelAsMetadataAndTheTimeoutAsTheGrpcDeadline() {
    StepVerifier.create(
            greeter
                .sayHello(request("whoami"))
                .map(HelloReply::getMessage)
                .contextWrite(CallOptions.header("x-tenant", "acme"))
                .contextWrite(CallOptions.timeout(Duration.ofSeconds(7))))
        .assertNext(
            message -> {
              assertThat(message).startsWith("tenant=acme deadline=");
              long millis = Long.parseLong(message.substring(message.lastIndexOf('=') + 1));
              assertThat(millis).isBetween(1L, 7_000L);
            })
        .verifyComplete();
  }

  @Test
  void deadlineEndsACallTheServerDoesNotAnswer() {
    StepVerifier.create(
            greeter
                .sayHello(request("slow"))
                .contextWrite(CallOptions.timeout(Duration.ofMillis(300))))
        .expectErrorSatisfies(
            e -> assertThat(VireoException.from(e).status()).isEqualTo(Status.DEADLINE_EXCEEDED))
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void unreachableInstanceIsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    GrpcTransport transport = GrpcTransport.builder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      StepVerifier.create(transport.connect(instance("gone", closedPort)))
          .expectErrorSatisfies(
              e -> {
                assertThat(VireoException.from(e).status()).isEqualTo(Status.UNAVAILABLE);
                assertThat(e).hasMessageContaining("127.0.0.1:" + closedPort);
              })
          .verify(Duration.ofSeconds(10));
    } finally {
      transport.close().block(Duration.ofSeconds(5));
    }
  }

  /** The greeter as any grpc-java program writes it. */
  static final class StockGreeter extends GreeterGrpc.GreeterImplBase {
    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloReply> responses) {
      switch (request.getName()) {
        case "missing":
          responses.onError(
              io.grpc.Status.NOT_FOUND
                  .withDescription("stock server knows no missing")
                  .asRuntimeException());
          return;
        case "slow":
          return; // never answers
        case "whoami":
          Deadline deadline = Context.current().getDeadline();
          responses.onNext(
              reply(
                  "tenant="
                      + TENANT.get()
                      + " deadline="
                      + (deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS))));
          responses.onCompleted();
          return;
        default:
          responses.onNext(reply("Stock hello, " + request.getName()));
          responses.onCompleted();
      }
    }

    @Override
    public void lotsOfReplies(HelloRequest request, StreamObserver<HelloReply> responses) {
      for (int i = 1; i <= 3; i++) {
        responses.onNext(reply("Stock #" + i + ", " + request.getName()));
      }
      responses.onCompleted();
    }

    @Override
    public StreamObserver<HelloRequest> lotsOfGreetings(StreamObserver<HelloReply> responses) {
      List<String> names = new ArrayList<>();
      return new StreamObserver<>() {
        @Override
        public void onNext(HelloRequest request) {
          names.add(request.getName());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onNext(reply("Stock hello, " + String.join(" & ", names)));
          responses.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<HelloRequest> bidiHello(StreamObserver<HelloReply> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(HelloRequest request) {
          responses.onNext(reply("Stock hi, " + request.getName()));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }
}
