package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vireo.Service;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.grpc.greeter.GreeterGrpc;
import io.vireo.transport.grpc.greeter.HelloReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * One service served with vireo.transport=rsocket,grpc answers a stock gRPC stub, a gRPC client and
 * an RSocket client.
 */
class RSocketAndGrpcServiceTest {
  @Test
  void oneServiceAnswersOverBothTransports() throws InterruptedException {
    MemoryRegistry registry = MemoryRegistry.newStore();
    Service greeter =
        Service.builder("greeter")
            .set("vireo.transport", "rsocket,grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .registry(registry)
            .handle(Greeter.class, new TestGreeter())
            .build()
            .start();
    Service grpcCaller =
        Service.builder("grpc-caller")
            .set("vireo.transport", "grpc")
            .registry(registry)
            .build()
            .start();
    Service rsocketCaller =
        Service.builder("rsocket-caller")
            .set("vireo.transport", "rsocket")
            .registry(registry)
            .build()
            .start();
    ManagedChannel channel = null;
    try {
      List<ServiceInstance> instances = greeter.instances();
      assertThat(instances)
          .extracting(ServiceInstance::transport)
          .containsExactly("rsocket", "grpc");
      ServiceInstance grpc = instances.get(1);

      channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
      assertThat(
              GreeterGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .sayHello(request("stub"))
                  .getMessage())
          .isEqualTo("Hello, stub");

      for (Service caller : List.of(grpcCaller, rsocketCaller)) {
        Greeter client = caller.client("greeter", Greeter.class);
        StepVerifier.create(client.sayHello(request(caller.name())).map(HelloReply::getMessage))
            .expectNext("Hello, " + caller.name())
            .verifyComplete();
        StepVerifier.create(
                client.bidiHello(Flux.just(request("a"), request("b"))).map(HelloReply::getMessage))
            .expectNext("Hi, a", "Hi, b")
            .expectComplete()
            .verify(Duration.ofSeconds(10));
      }
    } finally {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      grpcCaller.stop();
      rsocketCaller.stop();
      greeter.stop();
    }
  }
}
