package io.vireo.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.vireo.CallOptions;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.reflection.ServiceSchema;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.test.proto.HelloReply;
import io.vireo.test.proto.HelloRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The framework README's generic-client snippet, compiled and run on the memory transport. */
class GenericClientReadmeTest {
  @RpcService("vireo.test.proto.Greeter")
  interface Greeter {
    Mono<HelloReply> sayHello(HelloRequest request);

    Flux<HelloReply> lotsOfReplies(HelloRequest request);
  }

  static final class GreeterImpl implements Greeter {
    @Override
    public Mono<HelloReply> sayHello(HelloRequest request) {
      return Mono.just(HelloReply.newBuilder().setMessage("Hello, " + request.getName()).build());
    }

    @Override
    public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
      return Flux.range(1, 2)
          .map(i -> HelloReply.newBuilder().setMessage(i + " " + request.getName()).build());
    }
  }

  @Test
  void readmeSnippetLearnsTheSchemaAndCallsWithJson() throws Exception {
    MemoryRegistry registry = MemoryRegistry.newStore();
    Service server =
        Service.builder("greeter")
            .set("vireo.transport", "memory")
            .registry(registry)
            .handle(Greeter.class, new GreeterImpl())
            .build()
            .start();
    Service caller =
        Service.builder("caller")
            .set("vireo.transport", "memory")
            .registry(registry)
            .build()
            .start();
    try {
      // README snippet starts
      GenericClient greeter = caller.genericClient("greeter");
      ServiceSchema schema =
          ServiceSchema.fetch(greeter).block(); // server reflection, over its transport
      Descriptors.MethodDescriptor method = schema.method("SayHello").orElseThrow();
      DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
      JsonFormat.parser()
          .usingTypeRegistry(schema.typeRegistry())
          .merge("{\"name\":\"Ada\"}", request);
      byte[] reply =
          greeter
              .unary(ServiceSchema.route(method), request.build().toByteArray())
              .contextWrite(CallOptions.timeout(Duration.ofSeconds(2)))
              .block();
      String json =
          JsonFormat.printer().print(DynamicMessage.parseFrom(method.getOutputType(), reply));
      // README snippet ends
      assertThat(schema.services())
          .extracting(Descriptors.ServiceDescriptor::getFullName)
          .containsExactly("vireo.test.proto.Greeter");
      assertThat(json).contains("\"message\": \"Hello, Ada\"");
      List<byte[]> replies =
          greeter
              .serverStream(
                  ServiceSchema.route(schema.method("LotsOfReplies").orElseThrow()),
                  HelloRequest.newBuilder().setName("x").build().toByteArray())
              .collectList()
              .block(Duration.ofSeconds(5));
      assertThat(replies).hasSize(2);
    } finally {
      caller.stop();
      server.stop();
    }
  }
}
