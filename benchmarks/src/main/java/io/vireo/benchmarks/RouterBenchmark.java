package io.vireo.benchmarks;

import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Service;
import io.vireo.benchmarks.proto.Payload;
import io.vireo.codec.spi.CodecProvider;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Connection;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import io.vireo.transport.Server;
import io.vireo.transport.Transport;
import io.vireo.wrapper.Wrapper;
import java.net.InetSocketAddress;
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
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The server's per-call path without a network: route lookup, header and deadline parsing, decode,
 * the server wrapper chain ({@code wrappers} pass-through wrappers), the handler, encode. {@code
 * rawProto} is what a hand-written server does for the same call.
 *
 * <p>It drives the {@link Dispatcher} that a started service hands its transport, through a
 * transport of its own that only keeps it: the public transport SPI, as every transport plugin sees
 * the service.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouterBenchmark {
  @Param({"0", "1", "4"})
  public int wrappers;

  private Service service;
  private Dispatcher router;
  private Frame frame;
  private Frame frameWithDeadline;
  private byte[] data;

  @Setup
  public void setUp() {
    List<Wrapper> chain = new ArrayList<>();
    for (int i = 0; i < wrappers; i++) {
      chain.add(Wrapper.server(next -> (call, requests) -> next.apply(call, requests)));
    }
    Keeper keeper = new Keeper();
    service =
        Service.builder("echo")
            .transport(keeper)
            .handle(FireAndForgetEcho.class, new EchoImpl())
            .wrap(chain.toArray(Wrapper[]::new))
            .build()
            .start();
    router = keeper.dispatcher;
    String contentType = Plugins.create(CodecProvider.class, "proto", Map.of()).contentType();
    data = Payloads.REQUEST.toByteArray();
    Route route = Route.parse(Payloads.UNARY);
    frame = new Frame(route, contentType, Headers.of("vireo-caller", "bench-client"), data);
    frameWithDeadline =
        new Frame(
            route,
            contentType,
            Headers.of("vireo-caller", "bench-client", Headers.TIMEOUT, "5000"),
            data);
  }

  @TearDown
  public void tearDown() {
    service.stop();
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
    return Payload.parseFrom(data).toByteArray();
  }

  /** A transport that serves nothing: it keeps the dispatcher the service gives it. */
  private static final class Keeper implements Transport {
    private Dispatcher dispatcher;

    @Override
    public String name() {
      return "keeper";
    }

    @Override
    public Mono<Server> serve(InetSocketAddress address, Dispatcher dispatcher) {
      this.dispatcher = dispatcher;
      Sinks.Empty<Void> closed = Sinks.empty();
      return Mono.just(
          new Server() {
            @Override
            public InetSocketAddress address() {
              return new InetSocketAddress(address.getAddress(), 9);
            }

            @Override
            public Mono<Void> onClose() {
              return closed.asMono();
            }

            @Override
            public void dispose() {
              closed.tryEmitEmpty();
            }
          });
    }

    @Override
    public Mono<Connection> connect(ServiceInstance instance) {
      return Mono.error(new UnsupportedOperationException("the keeper transport serves no calls"));
    }
  }
}
