package io.vireo.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.TooLongFrameException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ConnectionObserver;
import reactor.netty.NettyPipeline;

/**
 * Connections a server closed because the peer broke the protocol: malformed, oversized or
 * truncated frames, a rejected setup, a failed handshake. Anyone who can open a socket can send
 * those, so each refusal costs one counter increment and at most one log line:
 *
 * <ul>
 *   <li>one WARN line (peer, reason, what was wrong; no stack trace) for the first refusal of a
 *       peer address in a minute, and at most {@value #LINES_PER_WINDOW} such lines a minute for
 *       one server kind;
 *   <li>after a minute in which lines were held back, one summary line: {@code rsocket: 9995 more
 *       refused connections in the last 1m (malformed-frame=4000, truncated-frame=5995)};
 *   <li>the full trace of each refusal at DEBUG, on this class's logger;
 *   <li>a counter {@code vireo_server_connections_refused_total{transport, reason}} in {@code
 *       /metrics} (when the {@code metrics} wrapper is on), with the bounded reasons of {@link
 *       Reason}.
 * </ul>
 *
 * Counts are per JVM and per server kind (the transport's name, {@code admin}, {@code gateway}). A
 * transport, or any server built on Netty, uses it where it closes a connection:
 *
 * <pre>{@code
 * RefusedConnections refused = RefusedConnections.of("gateway");
 * HttpServer.create().doOnChannelInit(refused::watchHttp);   // HTTP requests its decoder cannot read
 * refused.refuse(channel.remoteAddress(), Reason.PROTOCOL_ERROR, "WebSocket frame before the upgrade", cause);
 * }</pre>
 */
public final class RefusedConnections {
  /** The meter's name; Prometheus shows it as {@code vireo_server_connections_refused_total}. */
  public static final String METER_NAME = "vireo.server.connections.refused";

  /** How long the log limiter's window is: one minute. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /**
   * WARN lines about single refusals one server kind logs in a {@link #WINDOW}, at most: {@value}.
   */
  public static final int LINES_PER_WINDOW = 5;

  /** Peer addresses remembered in one window; beyond it every peer counts as already seen. */
  private static final int MAX_PEERS_PER_WINDOW = 4096;

  private static final String HTTP_HANDLER = "vireo.refused-connections";
  private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9.-]{0,31}");
  private static final Logger log = LoggerFactory.getLogger(RefusedConnections.class);
  private static final Map<String, RefusedConnections> KINDS = new ConcurrentHashMap<>();
  private static final List<MeterRegistry> REGISTRIES = new CopyOnWriteArrayList<>();

  /** Why a connection was closed; the tag values of the counter. */
  public enum Reason {
    /**
     * A frame that does not parse: unknown type, lengths that do not fit, bytes that are no frame.
     */
    MALFORMED_FRAME,
    /** A frame (or its announced length) above the server's largest frame. */
    OVERSIZED_FRAME,
    /** The peer closed, or stopped sending, in the middle of a frame. */
    TRUNCATED_FRAME,
    /** Well-formed frames in an order or on streams the protocol does not allow. */
    PROTOCOL_ERROR,
    /** A setup (RSocket SETUP, HTTP/2 preface) the server does not accept. */
    SETUP_REJECTED,
    /** A TLS handshake that failed. */
    HANDSHAKE_FAILED;

    /** The tag value: {@code malformed-frame}. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final String kind;
  private final Map<Reason, AtomicLong> counts = new EnumMap<>(Reason.class);
  private final Map<Reason, Long> heldBack = new EnumMap<>(Reason.class);
  private final Set<String> peersThisWindow = new HashSet<>();
  private long windowStart = System.nanoTime();
  private int linesThisWindow;
  private boolean summaryScheduled;

  private RefusedConnections(String kind) {
    this.kind = kind;
    for (Reason reason : Reason.values()) {
      counts.put(reason, new AtomicLong());
    }
  }

  /**
   * The refusals of one server kind ({@code rsocket}, {@code grpc}, {@code admin}, {@code
   * gateway}...): lower case letters, digits, dots and dashes, at most 32.
   */
  public static RefusedConnections of(String kind) {
    if (!KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException(
          "kind: '" + kind + "' (expected: lower case letters, digits, '.', '-', at most 32)");
    }
    return KINDS.computeIfAbsent(
        kind,
        name -> {
          RefusedConnections created = new RefusedConnections(name);
          REGISTRIES.forEach(created::register);
          return created;
        });
  }

  /**
   * Shows every kind's counter, now and later, in {@code registry}; the metrics wrapper calls it.
   * Binding the same registry twice is harmless.
   */
  public static void bindTo(MeterRegistry registry) {
    if (REGISTRIES.contains(registry)) {
      return;
    }
    REGISTRIES.add(registry);
    KINDS.values().forEach(refused -> refused.register(registry));
  }

  /** The server kind these refusals belong to. */
  public String kind() {
    return kind;
  }

  /** Connections refused for {@code reason} since the JVM started. */
  public long count(Reason reason) {
    return counts.get(reason).get();
  }

  /** Connections refused for any reason since the JVM started. */
  public long total() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Counts and logs (within the limits above) one refused connection. */
  public void refuse(@Nullable SocketAddress peer, Reason reason, String detail) {
    refuse(peer, reason, detail, null);
  }

  /**
   * Counts and logs (within the limits above) one refused connection; {@code cause}'s trace goes to
   * DEBUG only. Call it once per connection, where the server closes it.
   */
  public void refuse(
      @Nullable SocketAddress peer, Reason reason, String detail, @Nullable Throwable cause) {
    counts.get(reason).incrementAndGet();
    String host = host(peer);
    if (log.isDebugEnabled()) {
      log.debug(
          "{}: refused connection from {}: {}: {}",
          kind,
          peer == null ? "?" : peer,
          reason.tag(),
          detail,
          cause);
    }
    boolean logIt;
    boolean scheduleSummary = false;
    synchronized (this) {
      rollWindowIfOver();
      boolean newPeer = peersThisWindow.size() < MAX_PEERS_PER_WINDOW && peersThisWindow.add(host);
      logIt = newPeer && linesThisWindow < LINES_PER_WINDOW;
      if (logIt) {
        linesThisWindow++;
      } else {
        heldBack.merge(reason, 1L, Long::sum);
        if (!summaryScheduled) {
          summaryScheduled = true;
          scheduleSummary = true;
        }
      }
    }
    if (logIt) {
      log.warn(
          "{}: refused connection from {}: {}: {}",
          kind,
          peer == null ? "?" : peer,
          reason.tag(),
          detail);
    }
    if (scheduleSummary) {
      long left = WINDOW.toNanos() - (System.nanoTime() - windowStart);
      Schedulers.parallel().schedule(this::summarize, Math.max(0, left), TimeUnit.NANOSECONDS);
    }
  }

  /** At the end of a window in which lines were held back: the one summary line. */
  private void summarize() {
    long left;
    synchronized (this) {
      rollWindowIfOver();
      if (!summaryScheduled) {
        return;
      }
      left = WINDOW.toNanos() - (System.nanoTime() - windowStart);
    }
    Schedulers.parallel().schedule(this::summarize, Math.max(1, left), TimeUnit.NANOSECONDS);
  }

  private void rollWindowIfOver() {
    long now = System.nanoTime();
    if (now - windowStart < WINDOW.toNanos()) {
      return;
    }
    if (!heldBack.isEmpty()) {
      long total = heldBack.values().stream().mapToLong(Long::longValue).sum();
      String byReason =
          heldBack.entrySet().stream()
              .map(entry -> entry.getKey().tag() + "=" + entry.getValue())
              .collect(Collectors.joining(", "));
      log.warn("{}: {} more refused connections in the last {} ({})", kind, total, "1m", byReason);
      heldBack.clear();
    }
    peersThisWindow.clear();
    linesThisWindow = 0;
    summaryScheduled = false;
    windowStart = now;
  }

  /**
   * A Netty handler for HTTP servers, to sit right after the HTTP codec ({@link #watchHttp} puts it
   * there on reactor-netty): counts each request the HTTP decoder could not read as a refused
   * connection ({@link Reason#MALFORMED_FRAME}, or {@link Reason#OVERSIZED_FRAME} for a line or
   * header above its limit) and passes it on, so that the server still answers 400 and closes. One
   * handler serves every connection of a server.
   */
  public ChannelHandler httpDecoderFailures() {
    return new HttpDecoderFailures(this);
  }

  /**
   * Puts {@link #httpDecoderFailures()} right after reactor-netty's HTTP/1.1 codec of a new
   * connection (ahead of reactor-netty's own handler, which answers a failed request itself):
   * {@code HttpServer.create().doOnChannelInit(refused::watchHttp)}.
   */
  public void watchHttp(
      ConnectionObserver observer, Channel channel, @Nullable SocketAddress remoteAddress) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(HTTP_HANDLER) == null && pipeline.get(NettyPipeline.HttpCodec) != null) {
      pipeline.addAfter(NettyPipeline.HttpCodec, HTTP_HANDLER, httpDecoderFailures());
    }
  }

  @ChannelHandler.Sharable
  private static final class HttpDecoderFailures extends ChannelInboundHandlerAdapter {
    private final RefusedConnections refused;

    HttpDecoderFailures(RefusedConnections refused) {
      this.refused = refused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure()) {
        Throwable cause = decoded.decoderResult().cause();
        Reason reason =
            cause instanceof TooLongFrameException
                ? Reason.OVERSIZED_FRAME
                : Reason.MALFORMED_FRAME;
        String what =
            cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        refused.refuse(
            ctx.channel().remoteAddress(),
            reason,
            "HTTP request the decoder cannot read: " + what,
            cause);
      }
      ctx.fireChannelRead(message);
    }
  }

  private void register(MeterRegistry registry) {
    for (Reason reason : Reason.values()) {
      FunctionCounter.builder(METER_NAME, counts.get(reason), AtomicLong::get)
          .description("connections a server closed because the peer broke the protocol")
          .tags("transport", kind, "reason", reason.tag())
          .register(registry);
    }
  }

  private static String host(@Nullable SocketAddress peer) {
    if (peer instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return String.valueOf(peer);
  }

  @Override
  public String toString() {
    return "RefusedConnections{" + kind + ", total=" + total() + "}";
  }
}
