package io.vireo.benchmarks;

import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import io.vireo.selector.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * One selection among 1,000 instances with each strategy, and a whole call's worth (select,
 * started, report).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SelectorBenchmark {
  private static final String HASH_HEADER = "x-hash-key";

  @Param({"round-robin", "random", "weighted", "consistent-hash", "least-loaded"})
  public String strategy;

  @Param({"1000"})
  public int instances;

  private Selector selector;
  private List<ServiceInstance> candidates;
  private Call call;

  @Setup
  public void setUp() {
    selector =
        Plugins.create(
            SelectorProvider.class,
            strategy,
            Map.of("vireo.selector.consistent-hash.header", HASH_HEADER));
    List<ServiceInstance> list = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      list.add(
          new ServiceInstance(
              "echo",
              "echo-" + i,
              "10.0." + (i / 250) + "." + (i % 250),
              9000,
              "rsocket",
              "1.0.0",
              50 + i % 100,
              Map.of(),
              List.of()));
    }
    candidates = List.copyOf(list);
    call =
        new Call(
            "echo",
            Route.parse(Payloads.UNARY),
            CallKind.UNARY,
            Headers.of(HASH_HEADER, "user-42"),
            Duration.ofSeconds(5),
            true);
    for (int i = 0; i < 10_000; i++) {
      select(); // the first selections build per-candidate-set caches
    }
  }

  @Benchmark
  public Optional<ServiceInstance> select() {
    return selector.select(candidates, call);
  }

  @Benchmark
  public Optional<ServiceInstance> selectStartedReport() {
    Optional<ServiceInstance> chosen = selector.select(candidates, call);
    chosen.ifPresent(
        instance -> {
          selector.started(instance, call);
          selector.report(instance, call, Status.OK, 250_000);
        });
    return chosen;
  }
}
