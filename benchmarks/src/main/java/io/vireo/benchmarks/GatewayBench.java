package io.vireo.benchmarks;

import com.google.protobuf.util.JsonFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.vireo.Service;
import io.vireo.benchmarks.proto.Payload;
import io.vireo.gateway.Gateway;
import io.vireo.registry.ServiceInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The gateway benchmark's JVMs (see {@code benchmarks/gateway.sh}):
 *
 * <pre>
 * GatewayBench backend PORT MAX_SECONDS                     reactor-netty HTTP, GET /bench/** answers 100 bytes
 * GatewayBench echo PORT MAX_SECONDS                        the Echo service's Unary on RSocket, as "echo"
 * GatewayBench gateway PORT BACKEND_PORT ECHO_PORT MAX_SECONDS  the Vireo gateway: /bench/** to the backend, discovery of "echo"
 * GatewayBench load NAME URL GET|POST BODY_FILE|- INFLIGHT WARM MEASURE   HTTP load, one RESULT line
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
      case "load" ->
          load(
              args[1],
              args[2],
              HttpMethod.valueOf(args[3]),
              args[4],
              Integer.parseInt(args[5]),
              Integer.parseInt(args[6]),
              Integer.parseInt(args[7]));
      case "json" ->
          System.out.println(
              JsonFormat.printer().omittingInsignificantWhitespace().print(Payloads.REQUEST));
      default -> {
        System.err.println("usage: GatewayBench backend|gateway|load|json ...");
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
  @io.vireo.RpcService("vireo.bench.Echo")
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

  /** INFLIGHT requests in flight on as many connections, for WARM then MEASURE seconds. */
  private static void load(
      String name,
      String url,
      HttpMethod method,
      String bodyFile,
      int inflight,
      int warm,
      int measure)
      throws Exception {
    byte[] body = bodyFile.equals("-") ? new byte[0] : Files.readAllBytes(Path.of(bodyFile));
    ConnectionProvider connections =
        ConnectionProvider.builder("load")
            .maxConnections(inflight)
            .pendingAcquireMaxCount(-1)
            .build();
    LoopResources loops = LoopResources.create("load", 1, true);
    HttpClient client =
        HttpClient.create(connections)
            .runOn(loops)
            .keepAlive(true)
            .headers(h -> h.set("content-type", "application/json"));
    Recorder recorder = new Recorder(3);
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch done = new CountDownLatch(inflight);
    for (int i = 0; i < inflight; i++) {
      next(client, method, url, body, recorder, completed, errors, running, done);
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warm));
    recorder.reset();
    long startCount = completed.get();
    long startErrors = errors.get();
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(measure));
    Histogram histogram = recorder.getIntervalHistogram();
    long ops = completed.get() - startCount;
    double seconds = (System.nanoTime() - start) / 1e9;
    running.set(false);
    done.await(10, TimeUnit.SECONDS);
    System.out.printf(
        Locale.ROOT,
        "RESULT name=%s impl=%s scenario=http inflight=%d ops_per_s=%.0f p50_us=%.1f p99_us=%.1f errors=%d%n",
        name,
        name,
        inflight,
        ops / seconds,
        histogram.getValueAtPercentile(50) / 1000.0,
        histogram.getValueAtPercentile(99) / 1000.0,
        errors.get() - startErrors);
    connections.disposeLater().block(Duration.ofSeconds(5));
    loops.disposeLater().block(Duration.ofSeconds(5));
  }

  private static void next(
      HttpClient client,
      HttpMethod method,
      String url,
      byte[] body,
      Recorder recorder,
      AtomicLong completed,
      AtomicLong errors,
      AtomicBoolean running,
      CountDownLatch done) {
    if (!running.get()) {
      done.countDown();
      return;
    }
    long start = System.nanoTime();
    HttpClient.ResponseReceiver<?> request =
        method.equals(HttpMethod.GET)
            ? client.get().uri(url)
            : client
                .request(method)
                .uri(url)
                .send(Mono.fromSupplier(() -> (ByteBuf) Unpooled.wrappedBuffer(body)));
    request
        .responseSingle(
            (response, content) ->
                content
                    .asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> response.status().code()))
        .subscribe(
            status -> {
              if (status == 200) {
                recorder.recordValue(Math.max(1, System.nanoTime() - start));
                completed.incrementAndGet();
              } else {
                errors.incrementAndGet();
              }
              next(client, method, url, body, recorder, completed, errors, running, done);
            },
            error -> {
              errors.incrementAndGet();
              next(client, method, url, body, recorder, completed, errors, running, done);
            });
  }
}
