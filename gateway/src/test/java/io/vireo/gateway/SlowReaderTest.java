package io.vireo.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.vireo.Service;
import io.vireo.registry.Registry;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * A slow NDJSON reader of a 1,000,000-message stream slows the service: nothing buffers without
 * bound.
 */
class SlowReaderTest {
  private static final Logger log = LoggerFactory.getLogger(SlowReaderTest.class);
  private static final int MESSAGES = 1_000_000;

  @Test
  void aSlowReaderOfAMillionMessagesHoldsTheServiceBack() {
    Registry registry = MemoryRegistry.newStore();
    LibraryImpl impl = new LibraryImpl("slow");
    Service library =
        Service.builder("library")
            .registry(registry)
            .set("vireo.transport", "rsocket")
            .handle(Library.class, impl)
            .build()
            .start();
    Gateway gateway =
        Gateway.builder()
            .registry(registry)
            .port(0)
            .host("127.0.0.1")
            .set("vireo.transport", "rsocket")
            .set("vireo.gateway.discovery.enabled", "true")
            .build()
            .start();
    AtomicLong lines = new AtomicLong();
    BaseSubscriber<ByteBuf> reader =
        new BaseSubscriber<>() {
          @Override
          protected void hookOnSubscribe(Subscription subscription) {
            request(1);
          }

          @Override
          protected void hookOnNext(ByteBuf buf) {
            lines.addAndGet(count(buf));
            if (lines.get() < 2_000) {
              request(1); // read a little, then stop reading: a reader that fell asleep
            }
          }
        };
    try {
      HttpClient.create()
          .post()
          .uri("http://127.0.0.1:" + gateway.port() + "/library/Count")
          .send(ByteBufFlux.fromString(Mono.just("{\"count\":" + MESSAGES + "}")))
          .responseContent()
          .subscribe(reader);

      await().atMost(Duration.ofSeconds(60)).until(() -> lines.get() >= 2_000);
      AtomicLong previous = new AtomicLong(-1);
      // the service stops producing once the buffers between it and the reader are full
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> previous.getAndSet(impl.produced.get()) == impl.produced.get());
      long produced = impl.produced.get();
      long read = lines.get();
      Runtime runtime = Runtime.getRuntime();
      log.info(
          "slow reader: service produced {} of {} messages while the reader took {} ({} ahead); heap used {} MB",
          produced,
          MESSAGES,
          read,
          produced - read,
          (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024));
      assertThat(produced).as("produced ahead of a reader that stopped").isLessThan(MESSAGES / 2);
      assertThat(read).isLessThan(produced);
    } finally {
      reader.dispose();
      gateway.stop();
      library.stop();
    }
  }

  private static long count(ByteBuf buf) {
    long newlines = 0;
    for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
      if (buf.getByte(i) == '\n') {
        newlines++;
      }
    }
    return newlines;
  }
}
