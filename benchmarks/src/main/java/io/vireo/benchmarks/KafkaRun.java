package io.vireo.benchmarks;

import com.google.protobuf.ByteString;
import io.vireo.Service;
import io.vireo.benchmarks.proto.Payload;
import io.vireo.testing.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.publisher.Mono;

/**
 * Kafka: Vireo's publish against a raw {@code KafkaProducer} with the settings Vireo uses
 * (acks=all, idempotent, linger.ms=5), 1 KB records, at most 10,000 unacknowledged either way,
 * measured raw, Vireo, Vireo, raw and averaged per side (and, for reference, raw with Vireo's
 * default batch.size of 64 KB, where kafka-clients' default is 16 KB); then Vireo's subscription
 * against a raw poll loop, both reading the same records from the start, in the same order (raw,
 * Vireo, Vireo, raw). A real broker (in-process KRaft, from the testing module) runs in this JVM;
 * each phase is bounded.
 *
 * <pre>java -cp ... io.vireo.benchmarks.KafkaRun WARMUP_SECONDS MEASURE_SECONDS</pre>
 */
public final class KafkaRun {
  private static final int PARTITIONS = 3;
  private static final int MAX_UNACKNOWLEDGED = 10_000;
  private static final Payload EVENT =
      Payload.newBuilder()
          .setId(1)
          .setCount(1)
          .setBody(ByteString.copyFrom(new byte[1010]))
          .build(); // 1,024 bytes encoded

  private KafkaRun() {}

  public static void main(String[] args) throws Exception {
    Duration warmUp = Duration.ofSeconds(Long.parseLong(args[0]));
    Duration measure = Duration.ofSeconds(Long.parseLong(args[1]));
    KafkaExtension kafka = new KafkaExtension(Map.of("num.partitions", String.valueOf(PARTITIONS)));
    kafka.beforeAll(null); // outside JUnit: starts the broker; afterAll stops it
    try {
      String servers = kafka.bootstrapServers();
      kafka.createTopic("raw-events", PARTITIONS);
      kafka.createTopic("vireo-events", PARTITIONS);
      kafka.createTopic("raw64k-events", PARTITIONS);
      System.err.println(
          "Kafka at " + servers + "; record size " + EVENT.getSerializedSize() + " bytes");

      Service vireo =
          Service.builder("bench-publisher")
              .set("vireo.broker", "kafka")
              .set("vireo.broker.kafka.bootstrap-servers", servers)
              .set("vireo.broker.kafka.topic-partitions", String.valueOf(PARTITIONS))
              .build()
              .start();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(producerProperties(servers))) {
        Publisher raw =
            done ->
                producer.send(
                    new ProducerRecord<>("raw-events", EVENT.toByteArray()),
                    (metadata, error) -> done.accept(error));
        Publisher viaVireo =
            done ->
                vireo
                    .publish("vireo-events", EVENT)
                    .subscribe(null, done::accept, () -> done.accept(null));
        publish(raw, warmUp);
        publish(viaVireo, warmUp);
        // raw, Vireo, Vireo, raw: each side's figure is the mean of two windows, one early and
        // one late, so that neither gains from the JVM and the broker warming up
        double[] raw1 = publish(raw, measure);
        double[] vireo1 = publish(viaVireo, measure);
        double[] vireo2 = publish(viaVireo, measure);
        double[] raw2 = publish(raw, measure);
        report("raw-kafka", "publish", mean(raw1, raw2));
        report("vireo-kafka", "publish", mean(vireo1, vireo2));
      } finally {
        vireo.stop();
      }
      // for reference: the raw producer with the batch.size Vireo's broker uses by default
      Map<String, Object> bigBatches = producerProperties(servers);
      bigBatches.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(bigBatches)) {
        Publisher raw64 =
            done ->
                producer.send(
                    new ProducerRecord<>("raw64k-events", EVENT.toByteArray()),
                    (metadata, error) -> done.accept(error));
        publish(raw64, warmUp);
        report("raw64k-kafka", "publish", publish(raw64, measure));
        // and the same record Vireo writes: 64 KB batches and Vireo's four headers (the wire
        // contract: message id, type, publish time, content type), built by hand per record, so
        // that what the record costs the producer and the broker is told apart from what Vireo's
        // code costs
        kafka.createTopic("rawheaders-events", PARTITIONS);
        Publisher rawHeaders =
            done ->
                producer.send(
                    new ProducerRecord<byte[], byte[]>(
                        "rawheaders-events",
                        null,
                        null,
                        EVENT.toByteArray(),
                        new RecordHeaders(
                            new Header[] {
                              header("vireo-message-id", UUID.randomUUID().toString()),
                              header("vireo-type", EVENT.getDescriptorForType().getFullName()),
                              header("vireo-published-at", Instant.now().toString()),
                              header("content-type", "application/x-protobuf")
                            })),
                    (metadata, error) -> done.accept(error));
        publish(rawHeaders, warmUp);
        report("rawheaders-kafka", "publish", publish(rawHeaders, measure));
      }

      // both read the records the raw producer wrote, from the beginning, in a new group each
      long records = (long) rawConsume(servers, "warm-raw", Long.MAX_VALUE, warmUp)[1];
      vireoConsume(servers, "warm-vireo", records, warmUp);
      // raw, Vireo, Vireo, raw, as for publishing: one window a side was the figure before, and
      // it moved by a third between runs of unchanged code
      Duration window = measure.multipliedBy(4);
      double[] raw1 = missed(rawConsume(servers, "raw-1", records, window), records);
      double[] vireo1 = vireoConsume(servers, "vireo-1", records, window);
      double[] vireo2 = vireoConsume(servers, "vireo-2", records, window);
      double[] raw2 = missed(rawConsume(servers, "raw-2", records, window), records);
      report("raw-kafka", "subscribe", mean(raw1, raw2));
      report("vireo-kafka", "subscribe", mean(vireo1, vireo2));
    } finally {
      kafka.afterAll(null);
    }
    System.exit(0);
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A poll loop's figures (rate, records seen) as rate and records missed. */
  private static double[] missed(double[] figures, long records) {
    return new double[] {figures[0], Math.max(0, records - (long) figures[1])};
  }

  private static double[] mean(double[] a, double[] b) {
    return new double[] {(a[0] + b[0]) / 2, a[1] + b[1]};
  }

  private interface Publisher {
    void publish(Consumer<Throwable> done);
  }

  private static void report(String impl, String scenario, double[] figures) {
    System.out.printf(
        Locale.ROOT,
        "RESULT name=%s-%s impl=%s scenario=%s inflight=%d ops_per_s=%.0f p50_us=0 p99_us=0 errors=%.0f%n",
        impl,
        scenario,
        impl,
        scenario,
        MAX_UNACKNOWLEDGED,
        figures[0],
        figures[1]);
    System.out.flush();
  }

  /** Records acknowledged per second over the window, and the number of failures. */
  private static double[] publish(Publisher publisher, Duration window)
      throws InterruptedException {
    Semaphore unacknowledged = new Semaphore(MAX_UNACKNOWLEDGED);
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long end = start + window.toNanos();
    while (System.nanoTime() < end) {
      if (!unacknowledged.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      publisher.publish(
          error -> {
            if (error == null) {
              acknowledged.incrementAndGet();
            } else if (failed.incrementAndGet() == 1) {
              System.err.println("publish failed: " + error);
            }
            unacknowledged.release();
          });
    }
    // wait for the last ones, so that the count is of acknowledged records
    unacknowledged.tryAcquire(MAX_UNACKNOWLEDGED, 30, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new double[] {acknowledged.get() / seconds, failed.get()};
  }

  private static Map<String, Object> producerProperties(String servers) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /**
   * A plain poll loop in a new group from the beginning, decoding each record and committing as
   * Vireo does (after processing, every 200 ms): records per second from the first record to the
   * {@code records}-th (or to the end of the window). Returns the count seen as well.
   */
  private static double[] rawConsume(String servers, String group, long records, Duration window) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long seen = 0;
    long first = 0;
    long last = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of("raw-events"));
      long deadline = System.nanoTime() + window.toNanos() + TimeUnit.SECONDS.toNanos(30);
      long lastCommit = System.nanoTime();
      long quietSince = System.nanoTime();
      while (seen < records && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        if (batch.isEmpty()) {
          if (seen > 0 && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(2)) {
            break; // records == MAX_VALUE: read everything there is
          }
          continue;
        }
        quietSince = System.nanoTime();
        if (seen == 0) {
          first = System.nanoTime();
        }
        for (var record : batch) {
          try {
            Payload.parseFrom(record.value());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          seen++;
        }
        last = System.nanoTime();
        if (last - lastCommit > TimeUnit.MILLISECONDS.toNanos(200)) {
          consumer.commitAsync();
          lastCommit = last;
        }
      }
      consumer.commitSync();
    }
    double seconds = Math.max(1e-9, (last - first) / 1e9);
    return new double[] {seen / seconds, seen};
  }

  /**
   * A Vireo subscription in a new group from the beginning: records per second from the first to
   * the last.
   */
  private static double[] vireoConsume(String servers, String group, long records, Duration window)
      throws InterruptedException {
    AtomicLong seen = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    Service service =
        Service.builder("bench-" + group)
            .set("vireo.broker", "kafka")
            .set("vireo.broker.kafka.bootstrap-servers", servers)
            .subscribe(
                "raw-events",
                Payload.class,
                event -> {
                  long now = System.nanoTime();
                  if (seen.incrementAndGet() == 1) {
                    first.set(now);
                  }
                  last.set(now);
                  return Mono.empty();
                })
            .build()
            .start();
    try {
      long deadline = System.nanoTime() + window.toNanos() + TimeUnit.SECONDS.toNanos(30);
      while (seen.get() < records && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } finally {
      service.stop();
    }
    double seconds = Math.max(1e-9, (last.get() - first.get()) / 1e9);
    return new double[] {seen.get() / seconds, Math.max(0, records - seen.get())};
  }
}
