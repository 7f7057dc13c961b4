package io.vireo.benchmarks;

import io.vireo.Service;
import java.util.concurrent.TimeUnit;

/**
 * The server JVM of a loopback load run: serves Echo with one implementation on 127.0.0.1 and
 * exits by itself after a bounded time (run.sh stops it sooner).
 *
 * <pre>java -cp ... io.vireo.benchmarks.LoadServer vireo-rsocket|raw-rsocket|vireo-grpc|raw-grpc PORT MAX_SECONDS</pre>
 */
public final class LoadServer {
  private LoadServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LoadServer vireo-rsocket|raw-rsocket|vireo-grpc|raw-grpc PORT MAX_SECONDS");
      System.exit(2);
    }
    String impl = args[0];
    int port = Integer.parseInt(args[1]);
    long maxSeconds = Long.parseLong(args[2]);
    AutoCloseable server = switch (impl) {
      case "vireo-rsocket", "vireo-grpc" -> {
        Service service = Service.builder("echo")
            .handle(Echo.class, new EchoImpl())
            .set("vireo.transport", impl.substring("vireo-".length()))
            .set("vireo.server.port", String.valueOf(port))
            .build()
            .start();
        yield service::stop;
      }
      case "raw-rsocket" -> RawRSocket.serve(port)::dispose;
      case "raw-grpc" -> RawGrpc.serve(port)::shutdownNow;
      default -> throw new IllegalArgumentException("impl: " + impl
          + " (expected: vireo-rsocket, raw-rsocket, vireo-grpc or raw-grpc)");
    };
    System.out.println("READY impl=" + impl + " port=" + port);
    System.out.flush();
    Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
    System.out.println("STOPPING impl=" + impl + " after " + maxSeconds + " s");
    server.close();
    System.exit(0);
  }
}
