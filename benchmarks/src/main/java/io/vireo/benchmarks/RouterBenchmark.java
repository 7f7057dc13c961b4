package io.vireo.benchmarks;

import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.config.Config;
import io.vireo.internal.codec.ProtoCodec;
import io.vireo.internal.runtime.Codecs;
import io.vireo.internal.runtime.Router;
import io.vireo.transport.Frame;
import io.vireo.wrapper.Wrapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The server's per-call path without a network: route lookup, header and deadline parsing,
 * decode, the server wrapper chain ({@code wrappers} pass-through wrappers), the handler,
 * encode. {@code rawProto} is what a hand-written server does for the same call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouterBenchmark {
  @Param({"0", "1", "4"})
  public int wrappers;

  private Router router;
  private Frame frame;
  private Frame frameWithDeadline;
  private byte[] data;

  @Setup
  public void setUp() {
    List<Wrapper> chain = new ArrayList<>();
    for (int i = 0; i < wrappers; i++) {
      chain.add(Wrapper.server(next -> (call, requests) -> next.apply(call, requests)));
    }
    Codecs codecs = new Codecs(new ProtoCodec(), Config.of(Map.of()));
    router = Router.create("echo", List.of(new Router.Handler(FireAndForgetEcho.class, new EchoImpl())), chain, codecs, 4 << 20);
    data = Payloads.REQUEST.toByteArray();
    Route route = Route.parse(Payloads.UNARY);
    frame = new Frame(route, ProtoCodec.CONTENT_TYPE, Headers.of("vireo-caller", "bench-client"), data);
    frameWithDeadline = new Frame(route, ProtoCodec.CONTENT_TYPE,
        Headers.of("vireo-caller", "bench-client", Headers.TIMEOUT, "5000"), data);
  }

  @Benchmark
  public byte[] unary() {
    return router.requestResponse(frame).block();
  }

  @Benchmark
  public byte[] unaryWithDeadline() {
    return router.requestResponse(frameWithDeadline).block();
  }

  @Benchmark
  public byte[] rawProto() throws Exception {
    return io.vireo.benchmarks.proto.Payload.parseFrom(data).toByteArray();
  }
}
