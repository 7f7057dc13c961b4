package io.vireo.benchmarks;

import com.google.protobuf.util.JsonFormat;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.benchmarks.proto.Payload;
import io.vireo.gateway.Gateway;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The gateway benchmark's JVMs (see {@code benchmarks/gateway.sh}):
 *
 * <pre>
 * GatewayBench backend PORT MAX_SECONDS                     reactor-netty HTTP, GET /bench/** answers 100 bytes
 * GatewayBench echo PORT MAX_SECONDS                        the Echo service's Unary on RSocket, as "echo"
 * GatewayBench gateway PORT BACKEND_PORT ECHO_PORT MAX_SECONDS  the Vireo gateway: /bench/** to the backend, discovery of "echo"
 * GatewayBench json                                         the Echo request as JSON (the body wrk posts)
 * </pre>
 */
public final class GatewayBench {
  private static final byte[] BODY = new byte[100];

  private GatewayBench() {}

  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "backend" -> backend(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "echo" -> echo(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "gateway" ->
          gateway(
              Integer.parseInt(args[1]),
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      case "json" ->
          System.out.println(
              JsonFormat.printer().omittingInsignificantWhitespace().print(Payloads.REQUEST));
      default -> {
        System.err.println("usage: GatewayBench backend|echo|gateway|json ...");
        System.exit(2);
      }
    }
  }

  private static void backend(int port, int maxSeconds) throws InterruptedException {
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(port)
            .handle(
                (request, response) ->
                    response
                        .header("content-type", "application/octet-stream")
                        .header("content-length", Integer.toString(BODY.length))
                        .sendByteArray(Mono.just(BODY))
                        .then())
            .bindNow();
    System.out.println("READY");
    Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
    server.disposeNow();
  }

  /** Echo's unary call alone: the endpoint both the gateway and the direct client call. */
  @RpcService("vireo.bench.Echo")
  public interface UnaryEcho {
    Mono<Payload> unary(Payload request);
  }

  private static void echo(int port, int maxSeconds) throws InterruptedException {
    Service service =
        Service.builder("echo")
            .set("vireo.transport", "rsocket")
            .set("vireo.server.port", Integer.toString(port))
            .handle(UnaryEcho.class, Mono::just)
            .build()
            .start();
    System.out.println("READY");
    Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
    service.stop();
  }

  private static void gateway(int port, int backendPort, int echoPort, int maxSeconds)
      throws InterruptedException {
    ServiceInstance echo =
        new ServiceInstance(
            "echo", "echo-1", "127.0.0.1", echoPort, "rsocket", "", 100, Map.of(), List.of());
    Gateway gateway =
        Gateway.builder()
            .registry(new StaticRegistry(echo))
            .port(port)
            .host("127.0.0.1")
            .set("vireo.transport", "rsocket")
            .set("vireo.gateway.discovery.enabled", "true")
            .set("vireo.gateway.access-log.enabled", "false")
            .set("vireo.gateway.routes[0].id", "bench")
            .set("vireo.gateway.routes[0].path", "/bench/**")
            .set("vireo.gateway.routes[0].uri", "http://127.0.0.1:" + backendPort)
            .build()
            .start();
    System.out.println("READY");
    Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
    gateway.stop();
  }
}
