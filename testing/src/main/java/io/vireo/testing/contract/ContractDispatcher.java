package io.vireo.testing.contract;

import io.vireo.CallKind;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The server side of {@link TransportContract}: a {@link Dispatcher} on UTF-8 payloads whose
 * methods echo, describe, fail and count, and which records what the transport did to its
 * publishers (how many messages were produced, whether they were cancelled).
 */
public final class ContractDispatcher implements Dispatcher {
  /** The service every contract route belongs to. */
  public static final String SERVICE = "vireo.test.Contract";

  private static final Map<Route, CallKind> ROUTES =
      Map.ofEntries(
          Map.entry(route("Echo"), CallKind.UNARY),
          Map.entry(route("Describe"), CallKind.UNARY),
          Map.entry(route("Fail"), CallKind.UNARY),
          Map.entry(route("Crash"), CallKind.UNARY),
          Map.entry(route("Throw"), CallKind.UNARY),
          Map.entry(route("Fire"), CallKind.FIRE_AND_FORGET),
          Map.entry(route("Count"), CallKind.SERVER_STREAM),
          Map.entry(route("FailAfterTwo"), CallKind.SERVER_STREAM),
          Map.entry(route("Forever"), CallKind.SERVER_STREAM),
          Map.entry(route("Collect"), CallKind.CLIENT_STREAM),
          Map.entry(route("DescribeChannel"), CallKind.CLIENT_STREAM),
          Map.entry(route("Upper"), CallKind.BIDI_STREAM),
          Map.entry(route("TakeTen"), CallKind.BIDI_STREAM),
          Map.entry(route("ForeverChannel"), CallKind.BIDI_STREAM));

  private final int maxMessageSize;
  private final BlockingQueue<Frame> fired = new LinkedBlockingQueue<>();
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong consumed = new AtomicLong();
  private final AtomicBoolean cancelled = new AtomicBoolean();

  public ContractDispatcher(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  public static Route route(String method) {
    return Route.of(SERVICE, method);
  }

  @Override
  public Map<Route, CallKind> routes() {
    return ROUTES;
  }

  @Override
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** Fire-and-forget frames that arrived, in order. */
  public BlockingQueue<Frame> fired() {
    return fired;
  }

  /** Messages the streaming methods produced (responses) so far. */
  public long produced() {
    return produced.get();
  }

  /** Request messages the channel methods consumed so far. */
  public long consumed() {
    return consumed.get();
  }

  /** Whether a streaming method's publisher was cancelled. */
  public boolean cancelled() {
    return cancelled.get();
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    String data = text(request.data());
    switch (request.route().method()) {
      case "Echo":
        return Mono.just(request.data());
      case "Describe":
        return Mono.just(bytes(describe(request)));
      case "Fail":
        {
          int colon = data.indexOf(':');
          return Mono.error(
              new VireoException(
                  Status.valueOf(data.substring(0, colon)), data.substring(colon + 1)));
        }
      case "Crash":
        return Mono.error(new RuntimeException("crashed on " + data));
      case "Throw":
        throw new RuntimeException("threw on " + data);
      default:
        return Mono.error(unimplemented(request));
    }
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    if (!request.route().method().equals("Fire")) {
      return Mono.error(unimplemented(request));
    }
    return Mono.fromRunnable(() -> fired.add(request));
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    switch (request.route().method()) {
      case "Count":
        return Flux.range(0, Integer.parseInt(text(request.data())))
            .doOnNext(i -> produced.incrementAndGet())
            .doOnCancel(() -> cancelled.set(true))
            .map(i -> bytes(Integer.toString(i)));
      case "FailAfterTwo":
        return Flux.just(bytes("one"), bytes("two"))
            .concatWith(Mono.error(new VireoException(Status.FAILED_PRECONDITION, "no third")));
      case "Forever":
        return forever();
      default:
        return Flux.error(unimplemented(request));
    }
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    switch (head.route().method()) {
      case "Collect":
        return requests
            .map(ContractDispatcher::text)
            .collectList()
            .map(list -> bytes(list.size() + ":" + String.join(",", list)))
            .flux();
      case "DescribeChannel":
        return requests
            .count()
            .map(count -> bytes(describe(head) + "messages: " + count + "\n"))
            .flux();
      case "Upper":
        return requests.map(message -> bytes(text(message).toUpperCase(Locale.ROOT)));
      case "TakeTen":
        return requests.doOnNext(message -> consumed.incrementAndGet()).take(10);
      case "ForeverChannel":
        return forever();
      default:
        return Flux.error(unimplemented(head));
    }
  }

  private Flux<byte[]> forever() {
    byte[] tick = bytes("tick");
    return Flux.<byte[]>generate(sink -> sink.next(tick))
        .doOnNext(message -> produced.incrementAndGet())
        .doOnCancel(() -> cancelled.set(true));
  }

  /** {@code content-type: <type>\n} then one {@code name: value\n} line per header. */
  static String describe(Frame frame) {
    StringBuilder text =
        new StringBuilder("content-type: ").append(frame.contentType()).append('\n');
    frame
        .headers()
        .forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
    return text.toString();
  }

  private static VireoException unimplemented(Frame frame) {
    return VireoException.of(Status.UNIMPLEMENTED, "no route %s", frame.route());
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
