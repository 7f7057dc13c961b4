package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.vireo.Service;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What grpcurl asks first: the services, through server reflection, found from the handlers'
 * protobuf message classes.
 */
class ReflectionTest {
  @Test
  void reflectionListsTheServicesFoundFromTheHandlersMessageTypes() throws Exception {
    GrpcTransport transport =
        GrpcTransport.builder().shutdownTimeout(Duration.ofMillis(500)).build();
    Service service =
        Service.builder("greeter")
            .transport(transport)
            .registry(MemoryRegistry.newStore())
            .handle(Greeter.class, new TestGreeter())
            .build()
            .start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", service.instance().orElseThrow().port())
            .usePlaintext()
            .build();
    try {
      CompletableFuture<List<String>> services = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                      services.complete(
                          response.getListServicesResponse().getServiceList().stream()
                              .map(ServiceResponse::getName)
                              .toList());
                    }

                    @Override
                    public void onError(Throwable error) {
                      services.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
      assertThat(services.get(10, TimeUnit.SECONDS))
          .containsExactly("grpc.reflection.v1.ServerReflection", "vireo.samples.greeter.Greeter");
      requests.onCompleted();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      service.stop();
      transport
          .close()
          .block(
              Duration.ofSeconds(10)); // a transport given to the builder is the caller's to close
    }
  }
}
