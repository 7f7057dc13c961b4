package io.vireo.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Malformed connections from raw sockets: each kind is the bytes to send, and whether the attacker
 * then closes (leaving the server a truncated frame) or waits for the server to close.
 */
final class Attack {
  /** One kind of bad connection. */
  record Kind(String name, boolean closeAfterSend, BytesOf bytes) {}

  @FunctionalInterface
  interface BytesOf {
    byte[] next(Random random);
  }

  static final String COMPOSITE = "message/x.rsocket.composite-metadata.v0";

  private Attack() {}

  /** The RSocket kinds of issue 20. */
  static List<Kind> rsocketKinds() {
    return List.of(
        new Kind("random-bytes", true, random -> randomBytes(random, 1 + random.nextInt(512))),
        new Kind(
            "truncated",
            true,
            random -> {
              byte[] setup = frame(setup(COMPOSITE));
              return Arrays.copyOf(setup, 3 + random.nextInt(setup.length - 4));
            }),
        new Kind(
            "oversized", false, random -> concat(new byte[] {0x50, 0, 0}, randomBytes(random, 64))),
        new Kind("wrong-metadata", false, random -> frame(setup("text/plain"))),
        new Kind(
            "garbage-body",
            false,
            random -> {
              byte[] frame = frame(setup(COMPOSITE));
              byte[] garbage = randomBytes(random, frame.length - 9);
              System.arraycopy(garbage, 0, frame, 9, garbage.length);
              return frame;
            }),
        new Kind(
            "setup-then-garbage-requests",
            false,
            random ->
                concat(
                    frame(setup(COMPOSITE)),
                    // REQUEST_RESPONSE on stream 1, metadata flag, a metadata length beyond the
                    // frame
                    frame(bytes(0, 0, 0, 1, 0x04 << 2 | 0x01, 0, 0x7F, 0x7F, 0x7F, 1, 2, 3)),
                    // PAYLOAD with neither NEXT nor COMPLETE
                    frame(bytes(0, 0, 0, 1, 0x0A << 2, 0, 1, 2, 3)))),
        new Kind(
            "16mb-length-prefix",
            false,
            random ->
                concat(
                    new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, randomBytes(random, 256))),
        new Kind(
            "truncated-left-open",
            false,
            random ->
                concat(
                    frame(setup(COMPOSITE)),
                    Arrays.copyOf(frame(bytes(0, 0, 0, 1, 0x04 << 2, 0, 1, 2, 3, 4, 5, 6)), 10))));
  }

  /** The gRPC kinds: each breaks the HTTP/2 connection preface or the first frame after it. */
  static List<Kind> grpcKinds() {
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    return List.of(
        new Kind("random-bytes", true, random -> randomBytes(random, 1 + random.nextInt(512))),
        new Kind(
            "truncated",
            true,
            random -> Arrays.copyOf(preface, 1 + random.nextInt(preface.length - 2))),
        new Kind(
            "wrong-preface",
            false,
            random -> "GET / HTTP/1.1\r\nHost: chaos\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
        new Kind(
            "16mb-frame",
            false,
            random ->
                concat(
                    preface,
                    bytes(0xFF, 0xFF, 0xFF, 0x04, 0, 0, 0, 0, 0),
                    randomBytes(random, 64))),
        new Kind(
            "garbage-body",
            false,
            random -> concat(preface, randomBytes(random, 9 + random.nextInt(256)))));
  }

  /**
   * Sends {@code count} bad connections, the kinds in turn, {@code parallel} at once, to {@code
   * port}; each waits at most 10 s for the server to close it. Returns how many the server closed
   * (or the attacker closed after sending).
   */
  static int run(int port, List<Kind> kinds, int count, int parallel, long seed) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    AtomicInteger done = new AtomicInteger();
    Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int worker = 0; worker < parallel; worker++) {
        int first = worker;
        futures.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed + first);
                  for (int i = first; i < count; i += parallel) {
                    // each worker goes through every kind (i % size alone would pin a kind to a
                    // worker)
                    Kind kind = kinds.get((i + i / parallel) % kinds.size());
                    if (one(port, kind, random)) {
                      done.incrementAndGet();
                    } else {
                      open.computeIfAbsent(kind.name(), name -> new AtomicInteger())
                          .incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    if (!open.isEmpty()) {
      System.out.println("chaos: connections the server left open after 10s, by kind: " + open);
    }
    return done.get();
  }

  private static boolean one(int port, Kind kind, Random random) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(kind.bytes().next(random));
        out.flush();
      } catch (IOException closedWhileWriting) {
        return true;
      }
      if (kind.closeAfterSend()) {
        return true;
      }
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (in.read(buffer) >= 0) {
        // what the server answers (an ERROR or GOAWAY frame) before it closes
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** A SETUP frame body (no length): version 1.0, keepalive 30 s, lifetime 10 min, JSON data. */
  static byte[] setup(String metadataMimeType) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(0, 0, 0, 0, 0x01 << 2, 0));
    out.writeBytes(bytes(0, 1, 0, 0));
    out.writeBytes(intBytes(30_000));
    out.writeBytes(intBytes(600_000));
    byte[] metadata = metadataMimeType.getBytes(StandardCharsets.US_ASCII);
    out.write(metadata.length);
    out.writeBytes(metadata);
    byte[] data = "application/json".getBytes(StandardCharsets.US_ASCII);
    out.write(data.length);
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** A frame with its 3-byte length prefix. */
  static byte[] frame(byte[] body) {
    return concat(
        new byte[] {(byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length},
        body);
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] intBytes(int value) {
    return bytes(value >>> 24, value >>> 16, value >>> 8, value);
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] out = new byte[length];
    random.nextBytes(out);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
