package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vireo.Service;
import io.vireo.observability.Metrics;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stock gRPC client calling methods a Vireo service does not have leaves a trace in its metrics.
 */
class UnknownMethodMetricsTest {
  @Test
  void unknownMethodsAreCountedUnderOneBoundedName() throws InterruptedException {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Service service =
        Service.builder("greeter")
            .set("vireo.transport", "grpc")
            .set("vireo.transport.grpc.shutdown-timeout", "500ms")
            .registry(MemoryRegistry.newStore())
            .wrap(Metrics.of(meters))
            .handle(Greeter.class, new TestGreeter())
            .build()
            .start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", service.instance().orElseThrow().port())
            .usePlaintext()
            .build();
    try {
      for (String name :
          new String[] {"vireo.samples.greeter.Greeter/SayGoodbye", "no.such.Service/Anything"}) {
        MethodDescriptor<HelloRequest, HelloReply> unknown =
            MethodDescriptor.<HelloRequest, HelloReply>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(name)
                .setRequestMarshaller(ProtoUtils.marshaller(HelloRequest.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(HelloReply.getDefaultInstance()))
                .build();
        assertThatThrownBy(
                () ->
                    ClientCalls.blockingUnaryCall(
                        channel,
                        unknown,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        request("Ada")))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                  // the methods served, not only the services
                  assertThat(e.getStatus().getDescription())
                      .contains("/" + name)
                      .contains("/vireo.samples.greeter.Greeter/SayHello");
                });
      }
      Timer unknown =
          meters
              .find("vireo.server.calls")
              .tag("endpoint", "unknown")
              .tag("status", "UNIMPLEMENTED")
              .timer();
      assertThat(unknown).isNotNull();
      assertThat(unknown.count()).isEqualTo(2);
      assertThat(
              meters
                  .find("vireo.server.calls")
                  .tag("endpoint", "vireo.samples.greeter.Greeter.SayGoodbye")
                  .timer())
          .isNull();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      service.stop();
    }
  }
}
