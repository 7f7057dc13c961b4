package io.vireo.benchmarks;

import io.vireo.benchmarks.proto.Payload;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * The client JVM of a loopback load run: drives one implementation through every call kind, a
 * warm-up then a measured window each, and prints one line per figure:
 *
 * <pre>
 * RESULT name=vireo-rsocket-unary impl=vireo-rsocket scenario=unary inflight=64 ops_per_s=... p50_us=... p99_us=... errors=0
 * </pre>
 *
 * For streams ops_per_s counts messages. Every phase is bounded in time; a phase that cannot finish
 * within its window plus 30 s is reported with errors and the run goes on.
 *
 * <pre>
 * java -cp ... io.vireo.benchmarks.LoadClient IMPL PORT WARMUP_SECONDS MEASURE_SECONDS [scenario,...]
 * </pre>
 */
public final class LoadClient {
  static final int STREAM_MESSAGES = 10_000;
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
  private static final List<String> ALL =
      List.of("unary-1", "unary-64", "server-stream", "client-stream", "bidi", "fire");

  private final Target target;
  private final String impl;

  private LoadClient(Target target, String impl) {
    this.target = target;
    this.impl = impl;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: LoadClient IMPL PORT WARMUP_SECONDS MEASURE_SECONDS [scenario,...]");
      System.exit(2);
    }
    String impl = args[0];
    int port = Integer.parseInt(args[1]);
    Duration warmUp = Duration.ofSeconds(Long.parseLong(args[2]));
    Duration measure = Duration.ofSeconds(Long.parseLong(args[3]));
    List<String> scenarios = args.length > 4 ? List.of(args[4].split(",")) : ALL;
    Target target = target(impl, port);
    LoadClient client = new LoadClient(target, impl);
    try {
      // both JVMs compile the common path first: the first seconds of a cold JVM run far slower
      // on 2 cores, and the first scenario should not pay for it
      client.calls(64, warmUp);
      for (String scenario : scenarios) {
        client.run(scenario, warmUp, measure);
      }
    } finally {
      target.close();
    }
    System.exit(0);
  }

  /** The client of one implementation, connected to 127.0.0.1:{@code port}. */
  static Target target(String impl, int port) {
    return switch (impl) {
      case "vireo-rsocket" -> new VireoTarget("rsocket", port, false);
      case "vireo-grpc" -> new VireoTarget("grpc", port, false);
      case "wrapped-rsocket" -> new VireoTarget("rsocket", port, true);
      case "wrapped-grpc" -> new VireoTarget("grpc", port, true);
      case "raw-rsocket" -> RawRSocket.connect(port);
      // the peer server is measured with the same raw grpc-java client
      case "raw-grpc", "armeria-grpc" -> RawGrpc.connect(port);
      default -> throw new IllegalArgumentException("impl: " + impl);
    };
  }

  private void run(String scenario, Duration warmUp, Duration measure) throws InterruptedException {
    Figures figures;
    int inflight = 1;
    switch (scenario) {
      case "unary-1", "unary-64" -> {
        inflight = Integer.parseInt(scenario.substring("unary-".length()));
        int c = inflight;
        calls(c, warmUp);
        figures = calls(c, measure);
        scenario = "unary";
      }
      case "server-stream" -> {
        Payload request = Payloads.request(STREAM_MESSAGES);
        streams(warmUp, sink -> target.serverStream(request, sink));
        figures = streams(measure, sink -> target.serverStream(request, sink));
      }
      case "client-stream" -> {
        // one answer per call stands for STREAM_MESSAGES messages sent
        streams(warmUp, sink -> target.clientStream(STREAM_MESSAGES, sink));
        figures =
            streams(measure, sink -> target.clientStream(STREAM_MESSAGES, sink))
                .times(STREAM_MESSAGES);
      }
      case "bidi" -> {
        streams(warmUp, sink -> target.bidi(STREAM_MESSAGES, sink));
        figures = streams(measure, sink -> target.bidi(STREAM_MESSAGES, sink));
      }
      case "fire" -> {
        if (!target.firesAndForgets()) {
          return;
        }
        fire(warmUp);
        figures = fire(measure);
      }
      default ->
          throw new IllegalArgumentException(
              "scenario: " + scenario + " (expected one of " + ALL + ")");
    }
    System.out.printf(
        Locale.ROOT,
        "RESULT name=%s-%s impl=%s scenario=%s inflight=%d ops_per_s=%.0f p50_us=%.1f p99_us=%.1f errors=%d%n",
        impl,
        scenario,
        impl,
        scenario,
        inflight,
        figures.perSecond,
        figures.p50Micros,
        figures.p99Micros,
        figures.errors);
    System.out.flush();
  }

  record Figures(double perSecond, double p50Micros, double p99Micros, long errors) {
    Figures times(int factor) {
      return new Figures(perSecond * factor, p50Micros, p99Micros, errors);
    }
  }

  /** {@code inflight} workers; each starts its next unary call from the last one's answer. */
  private Figures calls(int inflight, Duration window) throws InterruptedException {
    Recorder latencies = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(inflight);
    long start = System.nanoTime();
    long end = start + window.toNanos();
    for (int i = 0; i < inflight; i++) {
      new Object() {
        void next() {
          if (System.nanoTime() >= end || errors.get() > 1000) {
            finished.countDown();
            return;
          }
          long sent = System.nanoTime();
          target.unary(
              Payloads.REQUEST,
              new Target.Sink() {
                @Override
                public void message(Payload message) {}

                @Override
                public void complete(@Nullable Throwable error) {
                  if (error == null) {
                    latencies.recordValue(System.nanoTime() - sent);
                    done.incrementAndGet();
                  } else if (errors.incrementAndGet() == 1) {
                    System.err.println(impl + " unary call failed: " + error);
                  }
                  next();
                }
              });
        }
      }.next();
    }
    boolean inTime = finished.await(window.toNanos() + GRACE_NANOS, TimeUnit.NANOSECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram histogram = latencies.getIntervalHistogram();
    return new Figures(
        done.get() / seconds,
        histogram.getValueAtPercentile(50) / 1000.0,
        histogram.getValueAtPercentile(99) / 1000.0,
        errors.get() + (inTime ? 0 : 1));
  }

  /** Streaming calls one after the other for the window; counts the messages that arrive. */
  private Figures streams(Duration window, Consumer<Target.Sink> call) throws InterruptedException {
    AtomicLong messages = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    long start = System.nanoTime();
    long end = start + window.toNanos();
    new Object() {
      void next() {
        if (System.nanoTime() >= end || errors.get() > 100) {
          finished.countDown();
          return;
        }
        call.accept(
            new Target.Sink() {
              @Override
              public void message(Payload message) {
                messages.incrementAndGet();
              }

              @Override
              public void complete(@Nullable Throwable error) {
                if (error != null && errors.incrementAndGet() == 1) {
                  System.err.println(impl + " stream failed: " + error);
                }
                next();
              }
            });
      }
    }.next();
    boolean inTime = finished.await(window.toNanos() + GRACE_NANOS, TimeUnit.NANOSECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Figures(messages.get() / seconds, 0, 0, errors.get() + (inTime ? 0 : 1));
  }

  /**
   * Fire-and-forget for the window, at most 20,000 ahead of what the server has counted, then until
   * the server has them all: messages the server received per second. The count is asked with a
   * unary call, one at a time, without waiting for it while the window is open: a client that
   * stopped after each batch for the count would drain the pipeline every batch and measure the sum
   * of the client's and the server's time per message, not the rate a producer that does not wait
   * gets. When the window is full, the count is asked every 200 µs, not in a spin: a spinning
   * client would spend the slower server's CPU on count queries and widen the gap it measures.
   */
  private Figures fire(Duration window) {
    long base = fired();
    Counter counter = new Counter(base);
    long start = System.nanoTime();
    long end = start + window.toNanos();
    long sent = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++) {
        target.fire(Payloads.REQUEST);
      }
      sent += 1000;
      counter.ask();
      while (sent - counter.received() > 20_000 && System.nanoTime() < end + GRACE_NANOS) {
        LockSupport.parkNanos(POLL_NANOS);
        counter.ask();
      }
    }
    long drainEnd = System.nanoTime() + GRACE_NANOS;
    long received = fired() - base;
    while (received < sent && System.nanoTime() < drainEnd) {
      LockSupport.parkNanos(POLL_NANOS);
      received = fired() - base;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Figures(received / seconds, 0, 0, sent - received);
  }

  /** The server's count of fired messages, asked with at most one unary call in flight. */
  private final class Counter {
    private final long base;
    private final AtomicLong received = new AtomicLong();
    private final AtomicBoolean asking = new AtomicBoolean();

    Counter(long base) {
      this.base = base;
    }

    long received() {
      return received.get();
    }

    void ask() {
      if (!asking.compareAndSet(false, true)) {
        return;
      }
      target.unary(
          Payloads.request(Payloads.FIRE_COUNT_QUERY),
          new Target.Sink() {
            @Override
            public void message(Payload message) {
              received.accumulateAndGet(message.getCount() - base, Math::max);
            }

            @Override
            public void complete(@Nullable Throwable error) {
              asking.set(false);
            }
          });
    }
  }

  private long fired() {
    CompletableFuture<Long> count = new CompletableFuture<>();
    target.unary(
        Payloads.request(Payloads.FIRE_COUNT_QUERY),
        new Target.Sink() {
          @Override
          public void message(Payload message) {
            count.complete(message.getCount());
          }

          @Override
          public void complete(@Nullable Throwable error) {
            if (error != null) {
              count.completeExceptionally(error);
            }
          }
        });
    return count.orTimeout(30, TimeUnit.SECONDS).join();
  }
}
