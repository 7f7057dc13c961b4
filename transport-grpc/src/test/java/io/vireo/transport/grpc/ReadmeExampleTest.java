package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's snippet, compiled and run. */
class ReadmeExampleTest {
  @Test
  void readmeSnippetServesAndCallsOverGrpc() {
    MemoryRegistry registry = MemoryRegistry.newStore();
    // README snippet starts
    GrpcTransport grpc = GrpcTransport.builder().maxMessageSize(8 * 1024 * 1024).build();
    Service greeter =
        Service.builder("greeter")
            .transport(grpc) // or .set("vireo.transport", "grpc")
            .registry(registry)
            .handle(Greeter.class, new TestGreeter())
            .build()
            .start();

    Service caller =
        Service.builder("caller").set("vireo.transport", "grpc").registry(registry).build().start();
    HelloReply reply =
        caller
            .client("greeter", Greeter.class)
            .sayHello(HelloRequest.newBuilder().setName("Ada").build())
            .block(Duration.ofSeconds(5));
    // README snippet ends
    try {
      assertThat(reply.getMessage()).isEqualTo("Hello, Ada");
    } finally {
      caller.stop();
      greeter.stop();
      grpc.close().block(Duration.ofSeconds(10));
    }
  }
}
