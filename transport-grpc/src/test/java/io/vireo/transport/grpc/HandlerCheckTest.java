package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A handler method that matches no rpc of its proto fails the start, naming the method and the rpcs
 * that exist, instead of answering UNIMPLEMENTED at the first call (issue 12).
 */
class HandlerCheckTest {
  @RpcService("vireo.samples.greeter.Greeter")
  public interface Misspelt {
    Mono<HelloReply> sayHelo(HelloRequest request);
  }

  @RpcService("vireo.samples.greeter.Greeter")
  public interface WrongKind {
    Flux<HelloReply> sayHello(HelloRequest request);
  }

  @RpcService("vireo.samples.greeter.Greeter")
  public interface WrongType {
    Mono<HelloRequest> sayHello(HelloRequest request);
  }

  @RpcService("vireo.samples.greeter.Greeter")
  public interface WithFireAndForget {
    Mono<HelloReply> sayHello(HelloRequest request);

    Mono<Void> audit(HelloRequest request); // fire-and-forget: no rpc declares it
  }

  private static Service.Builder builder() {
    return Service.builder("greeter")
        .registry(MemoryRegistry.newStore())
        .set("vireo.transport", "grpc");
  }

  @Test
  void aMethodThatIsNoRpcFailsTheStartNamingItAndTheRpcs() {
    assertThatThrownBy(
            () -> builder().handle(Misspelt.class, request -> Mono.empty()).build().start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Misspelt.sayHelo")
        .hasMessageContaining("SayHelo is no rpc of service vireo.samples.greeter.Greeter")
        .hasMessageContaining("SayHello(HelloRequest) returns (HelloReply)")
        .hasMessageContaining("LotsOfReplies(HelloRequest) returns (stream HelloReply)");
  }

  @Test
  void aMethodOfAnotherStreamingKindOrTypeFailsTheStart() {
    assertThatThrownBy(
            () -> builder().handle(WrongKind.class, request -> Flux.empty()).build().start())
        .hasMessageContaining(
            "WrongKind.sayHello is SERVER_STREAM but rpc vireo.samples.greeter.Greeter.SayHello is UNARY");
    assertThatThrownBy(
            () -> builder().handle(WrongType.class, request -> Mono.empty()).build().start())
        .hasMessageContaining(
            "response type vireo.samples.greeter.HelloRequest but the rpc's is vireo.samples.greeter.HelloReply");
  }

  @Test
  void aFireAndForgetMethodBesideTheRpcsStarts() {
    Service service =
        builder()
            .handle(
                WithFireAndForget.class,
                new WithFireAndForget() {
                  @Override
                  public Mono<HelloReply> sayHello(HelloRequest request) {
                    return Mono.just(HelloReply.getDefaultInstance());
                  }

                  @Override
                  public Mono<Void> audit(HelloRequest request) {
                    return Mono.empty();
                  }
                })
            .build()
            .start();
    try {
      assertThat(service.isRunning()).isTrue();
    } finally {
      service.stop();
    }
  }
}
