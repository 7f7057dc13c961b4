package io.vireo.benchmarks;

import io.vireo.Service;
import io.vireo.benchmarks.proto.Payload;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * A Vireo client calling the Echo service in the server JVM through the proxy, as users do; {@code
 * wrapped}: with the standard wrapper chain ({@link Wrapped}).
 */
final class VireoTarget implements Target {
  private final Service service;
  private final FireAndForgetEcho echo;
  private final boolean fires;

  VireoTarget(String transport, int port, boolean wrapped) {
    ServiceInstance server =
        new ServiceInstance(
            "echo",
            "echo-1",
            "127.0.0.1",
            port,
            transport,
            "1.0.0",
            ServiceInstance.DEFAULT_WEIGHT,
            Map.of(),
            List.of());
    Service.Builder builder =
        Service.builder("bench-client")
            .registry(new StaticRegistry(server))
            .set("vireo.transport", transport)
            // every call carries a deadline, as a production client's would (the raw clients set
            // none); -Dbench.timeout=0s measures without, to show what the deadline costs
            .set("vireo.client.timeout", System.getProperty("bench.timeout", "30s"));
    if (wrapped) {
      Wrapped.chain(builder);
    }
    service = builder.build().start();
    echo = service.client("echo", FireAndForgetEcho.class);
    fires = transport.equals("rsocket");
  }

  @Override
  public void unary(Payload request, Sink sink) {
    echo.unary(request).subscribe(sink::message, sink::complete, () -> sink.complete(null));
  }

  @Override
  public void serverStream(Payload request, Sink sink) {
    echo.serverStream(request).subscribe(sink::message, sink::complete, () -> sink.complete(null));
  }

  @Override
  public void clientStream(int n, Sink sink) {
    echo.clientStream(Flux.range(0, n).map(i -> Payloads.REQUEST))
        .subscribe(sink::message, sink::complete, () -> sink.complete(null));
  }

  @Override
  public void bidi(int n, Sink sink) {
    echo.bidi(Flux.range(0, n).map(i -> Payloads.REQUEST))
        .subscribe(sink::message, sink::complete, () -> sink.complete(null));
  }

  @Override
  public boolean firesAndForgets() {
    return fires;
  }

  @Override
  public void fire(Payload request) {
    echo.fire(request).subscribe();
  }

  @Override
  public void close() {
    service.stop();
  }
}
