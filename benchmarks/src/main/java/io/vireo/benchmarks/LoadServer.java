package io.vireo.benchmarks;

import io.vireo.Service;
import java.util.concurrent.TimeUnit;

/**
 * The server JVM of a loopback load run: serves Echo with one implementation on 127.0.0.1 and exits
 * by itself after a bounded time (run.sh stops it sooner).
 *
 * <pre>java -cp ... io.vireo.benchmarks.LoadServer IMPL PORT MAX_SECONDS</pre>
 *
 * IMPL: {@code vireo-rsocket}, {@code vireo-grpc}; {@code wrapped-rsocket}, {@code wrapped-grpc}
 * (Vireo with the standard wrapper chain {@code metrics,tracing,logging}, see {@link Wrapped});
 * {@code raw-rsocket}, {@code raw-grpc}; {@code armeria-grpc} (the peer: Armeria's gRPC server
 * serving the raw Echo service).
 */
public final class LoadServer {
  private LoadServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println(
          "usage: LoadServer vireo-rsocket|vireo-grpc|wrapped-rsocket|wrapped-grpc|raw-rsocket|raw-grpc|armeria-grpc PORT MAX_SECONDS");
      System.exit(2);
    }
    String impl = args[0];
    int port = Integer.parseInt(args[1]);
    long maxSeconds = Long.parseLong(args[2]);
    AutoCloseable server = serve(impl, port);
    System.out.println("READY impl=" + impl + " port=" + port);
    System.out.flush();
    Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
    System.out.println("STOPPING impl=" + impl + " after " + maxSeconds + " s");
    server.close();
    System.exit(0);
  }

  /** Starts one implementation's server on 127.0.0.1:{@code port}; closing it stops it. */
  static AutoCloseable serve(String impl, int port) {
    return switch (impl) {
      case "vireo-rsocket", "vireo-grpc", "wrapped-rsocket", "wrapped-grpc" -> {
        Service.Builder builder =
            Service.builder("echo")
                .handle(FireAndForgetEcho.class, new EchoImpl())
                .set("vireo.transport", impl.substring(impl.indexOf('-') + 1))
                .set("vireo.server.port", String.valueOf(port));
        if (impl.startsWith("wrapped-")) {
          Wrapped.chain(builder);
        }
        Service service = builder.build().start();
        yield service::stop;
      }
      case "raw-rsocket" -> RawRSocket.serve(port)::dispose;
      case "raw-grpc" -> RawGrpc.serve(port)::shutdownNow;
      case "armeria-grpc" -> ArmeriaGrpc.serve(port);
      default ->
          throw new IllegalArgumentException(
              "impl: "
                  + impl
                  + " (expected: vireo-rsocket, vireo-grpc, wrapped-rsocket, wrapped-grpc, raw-rsocket, raw-grpc or armeria-grpc)");
    };
  }
}
