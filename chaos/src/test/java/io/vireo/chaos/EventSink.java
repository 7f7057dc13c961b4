package io.vireo.chaos;

import io.vireo.Service;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Mono;

/**
 * A child JVM that consumes {@code chaos.events} and prints {@code event <id>} for each delivery.
 */
public final class EventSink {
  /** One event of the Kafka case. */
  public record Event(long id) {}

  private EventSink() {}

  public static void main(String[] args) throws InterruptedException {
    Service service =
        Service.builder("chaos-sink")
            .subscribe(
                "chaos.events",
                Event.class,
                event -> Mono.fromRunnable(() -> System.out.println("event " + event.id())))
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
    System.out.println("chaos-ready sink");
    System.out.flush();
    stopped.await();
  }
}
