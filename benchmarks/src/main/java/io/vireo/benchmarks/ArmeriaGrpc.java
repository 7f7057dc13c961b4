package io.vireo.benchmarks;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import java.net.InetSocketAddress;

/**
 * The peer row: Armeria's gRPC server serving the same Echo service as {@link RawGrpc} (handlers on
 * its event loops, as Vireo's and the raw server's are), called by the same raw grpc-java client.
 * Armeria publishes its own figures against grpc-java; this puts Vireo's gRPC server beside it in
 * the same run.
 */
final class ArmeriaGrpc {
  private ArmeriaGrpc() {}

  static AutoCloseable serve(int port) {
    Server server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", port))
            .service(
                GrpcService.builder()
                    .addService(RawGrpc.service())
                    .useBlockingTaskExecutor(false)
                    .build())
            .build();
    server.start().join();
    return () -> server.stop().join();
  }
}
