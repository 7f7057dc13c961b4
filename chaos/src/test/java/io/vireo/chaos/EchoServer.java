package io.vireo.chaos;

import io.vireo.Service;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A child JVM serving {@link Echo}, configured by its {@code -Dvireo.*} properties. It prints one
 * line {@code chaos-ready <transport>=<port>... admin=<port>} once started, and stops gracefully on
 * SIGTERM.
 */
public final class EchoServer {
  private EchoServer() {}

  public static void main(String[] args) throws InterruptedException {
    String id = System.getProperty("chaos.id", "echo");
    Service service =
        Service.builder("echo")
            .handle(
                Echo.class,
                new Echo() {
                  @Override
                  public Mono<Reply> echo(Request request) {
                    return reply(request);
                  }

                  @Override
                  public Mono<Reply> echoSafe(Request request) {
                    return reply(request);
                  }

                  private Mono<Reply> reply(Request request) {
                    Mono<Reply> reply = Mono.just(new Reply(request.id(), id));
                    return request.delayMillis() > 0
                        ? reply.delayElement(Duration.ofMillis(request.delayMillis()))
                        : reply;
                  }

                  @Override
                  public Flux<Chunk> stream(StreamRequest request) {
                    String data = "x".repeat(Math.max(0, request.size()));
                    return Flux.range(0, request.count()).map(index -> new Chunk(index, data));
                  }
                })
            .build()
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.stop();
                  stopped.countDown();
                },
                "chaos-stop"));
    String ports =
        service.instances().stream()
            .map(instance -> instance.transport() + "=" + instance.port())
            .collect(Collectors.joining(" "));
    System.out.println(
        "chaos-ready "
            + ports
            + service.adminAddress().map(address -> " admin=" + address.getPort()).orElse(""));
    System.out.flush();
    stopped.await();
  }
}
