package io.vireo.benchmarks;

import io.vireo.benchmarks.proto.Payload;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole unary path, client and server in this JVM over loopback, one call at a time: with
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is what one call allocates on both sides (every
 * thread's allocation over the calls made), Vireo (with and without the standard wrapper chain)
 * against the raw library under it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CallPathBenchmark {
  @Param({
    "vireo-rsocket",
    "wrapped-rsocket",
    "raw-rsocket",
    "vireo-grpc",
    "wrapped-grpc",
    "raw-grpc"
  })
  public String impl;

  private AutoCloseable server;
  private Target client;

  @Setup
  public void start() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    server = LoadServer.serve(impl, port);
    client = LoadClient.target(impl, port);
  }

  @TearDown
  public void stop() throws Exception {
    client.close();
    server.close();
  }

  @Benchmark
  public Payload unary() throws Exception {
    Answer answer = new Answer();
    client.unary(Payloads.REQUEST, answer);
    return answer.get(10, TimeUnit.SECONDS);
  }

  private static final class Answer extends CompletableFuture<Payload> implements Target.Sink {
    private @Nullable Payload message;

    @Override
    public void message(Payload message) {
      this.message = message;
    }

    @Override
    public void complete(@Nullable Throwable error) {
      if (error != null) {
        completeExceptionally(error);
      } else {
        complete(message);
      }
    }
  }
}
