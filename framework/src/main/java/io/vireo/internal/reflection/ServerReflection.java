package io.vireo.internal.reflection;

import io.vireo.RpcService;
import io.vireo.internal.reflection.v1.ServerReflectionRequest;
import io.vireo.internal.reflection.v1.ServerReflectionResponse;
import reactor.core.publisher.Flux;

/** {@code grpc.reflection.v1.ServerReflection} as a Vireo handler interface. */
@RpcService(ServerReflection.SERVICE)
public interface ServerReflection {
  String SERVICE = "grpc.reflection.v1.ServerReflection";

  Flux<ServerReflectionResponse> serverReflectionInfo(Flux<ServerReflectionRequest> requests);

  /**
   * The same protocol under its pre-1.0 name, which grpcurl before 1.8.8 and other older tools ask
   * for. The messages are the same on the wire; this service is served, not listed.
   */
  @RpcService(Legacy.SERVICE)
  interface Legacy {
    String SERVICE = "grpc.reflection.v1alpha.ServerReflection";

    Flux<ServerReflectionResponse> serverReflectionInfo(Flux<ServerReflectionRequest> requests);
  }
}
