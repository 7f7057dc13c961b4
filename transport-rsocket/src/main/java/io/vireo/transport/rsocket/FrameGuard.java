package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.rsocket.transport.netty.RSocketLengthCodec;
import io.vireo.transport.RefusedConnections;
import io.vireo.transport.RefusedConnections.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Checks every frame of one server connection before rsocket-java reads it, and closes the
 * connection at the first one that is malformed, oversized, truncated or out of protocol, counting
 * it once in {@link RefusedConnections} (one WARN line at most, rate-limited). rsocket-java itself
 * logs an ERROR with a stack trace for each frame it cannot decode; what passes here, it can
 * decode.
 *
 * <p>It passes whole frames, length prefix included, on to rsocket-java, and takes the place of
 * rsocket-java's own length decoder ({@link RSocketLengthCodec}), which it removes at the first
 * read: that decoder would cut the same frames a second time. A frame left unfinished for {@code
 * frameTimeout} (no byte arrives while part of a frame is buffered) also closes the connection, so
 * a peer cannot hold a buffer open for ever.
 */
final class FrameGuard extends ByteToMessageDecoder {
  static final String NAME = "vireo.frame-guard";

  private static final int LENGTH_FIELD = 3;
  private static final int HEADER = 6;
  private static final int FLAG_IGNORE = 0x200;
  private static final int FLAG_METADATA = 0x100;
  private static final int FLAG_RESUME = 0x80;
  private static final int FLAG_LEASE = 0x40;
  private static final int FLAG_COMPLETE = 0x40;
  private static final int FLAG_NEXT = 0x20;

  private static final int SETUP = 0x01;
  private static final int LEASE = 0x02;
  private static final int KEEPALIVE = 0x03;
  private static final int REQUEST_RESPONSE = 0x04;
  private static final int REQUEST_FNF = 0x05;
  private static final int REQUEST_STREAM = 0x06;
  private static final int REQUEST_CHANNEL = 0x07;
  private static final int REQUEST_N = 0x08;
  private static final int CANCEL = 0x09;
  private static final int PAYLOAD = 0x0A;
  private static final int ERROR = 0x0B;
  private static final int METADATA_PUSH = 0x0C;
  private static final int RESUME = 0x0D;
  private static final int RESUME_OK = 0x0E;
  private static final int EXT = 0x3F;

  /** What to do with a frame that is not refused. */
  private static final Verdict PASS = new Verdict(Reason.PROTOCOL_ERROR, "");

  private static final Verdict DROP = new Verdict(Reason.PROTOCOL_ERROR, "");

  private final int maxFrameLength;
  private final long frameTimeoutNanos;
  private final RefusedConnections refused;
  private boolean setupSeen;
  private boolean lengthCodecRemoved;
  private boolean closing;
  private long lastRead;
  private @Nullable ScheduledFuture<?> stallCheck;

  FrameGuard(int maxFrameLength, Duration frameTimeout, RefusedConnections refused) {
    this.maxFrameLength = maxFrameLength;
    this.frameTimeoutNanos = frameTimeout.toNanos();
    this.refused = refused;
  }

  private record Verdict(Reason reason, String detail) {}

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    lastRead = System.nanoTime();
    if (!lengthCodecRemoved) {
      removeLengthCodec(ctx.pipeline());
    }
    while (!closing && in.readableBytes() >= LENGTH_FIELD) {
      int start = in.readerIndex();
      int length = in.getUnsignedMedium(start);
      if (length > maxFrameLength) {
        refuse(
            ctx,
            in,
            Reason.OVERSIZED_FRAME,
            "frame of "
                + length
                + " bytes (expected: at most "
                + maxFrameLength
                + ", vireo.transport.max-message-size plus metadata)");
        return;
      }
      if (length < HEADER) {
        refuse(
            ctx,
            in,
            Reason.MALFORMED_FRAME,
            "frame of " + length + " bytes (expected: at least the 6-byte header)");
        return;
      }
      if (in.readableBytes() < LENGTH_FIELD + length) {
        break;
      }
      Verdict verdict = check(in, start + LENGTH_FIELD, start + LENGTH_FIELD + length);
      if (verdict == PASS) {
        out.add(in.readRetainedSlice(LENGTH_FIELD + length));
      } else if (verdict == DROP) {
        in.skipBytes(LENGTH_FIELD + length);
      } else {
        refuse(ctx, in, verdict.reason(), verdict.detail());
        return;
      }
    }
    if (closing) {
      in.skipBytes(in.readableBytes());
    } else if (in.isReadable() && stallCheck == null && frameTimeoutNanos > 0) {
      stallCheck =
          ctx.executor().schedule(() -> checkStalled(ctx), frameTimeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * rsocket-java adds its length decoder after this guard, once the connection is configured; by
   * the first read it is there, and nothing has reached it yet.
   */
  private void removeLengthCodec(ChannelPipeline pipeline) {
    lengthCodecRemoved = true;
    RSocketLengthCodec codec = pipeline.get(RSocketLengthCodec.class);
    if (codec != null) {
      pipeline.remove(codec);
    }
  }

  /** The peer closed in the middle of a frame. */
  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    decode(ctx, in, out);
    if (in.isReadable() && !closing) {
      refuse(
          ctx,
          in,
          Reason.TRUNCATED_FRAME,
          "closed after " + in.readableBytes() + " bytes of a frame" + announced(in));
    }
  }

  @Override
  public void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelStallCheck();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelStallCheck();
    super.channelInactive(ctx);
  }

  private void checkStalled(ChannelHandlerContext ctx) {
    stallCheck = null;
    ByteBuf buffered = internalBuffer();
    if (closing || !ctx.channel().isActive() || !buffered.isReadable()) {
      return;
    }
    long quiet = System.nanoTime() - lastRead;
    if (quiet >= frameTimeoutNanos) {
      refuse(
          ctx,
          buffered,
          Reason.TRUNCATED_FRAME,
          "no byte for "
              + Duration.ofNanos(quiet).toSeconds()
              + "s after "
              + buffered.readableBytes()
              + " bytes of a frame"
              + announced(buffered)
              + " (vireo.transport.rsocket.frame-timeout)");
    } else {
      stallCheck =
          ctx.executor()
              .schedule(() -> checkStalled(ctx), frameTimeoutNanos - quiet, TimeUnit.NANOSECONDS);
    }
  }

  private static String announced(ByteBuf in) {
    return in.readableBytes() >= LENGTH_FIELD
        ? " of " + in.getUnsignedMedium(in.readerIndex())
        : "";
  }

  private void cancelStallCheck() {
    ScheduledFuture<?> check = stallCheck;
    stallCheck = null;
    if (check != null) {
      check.cancel(false);
    }
  }

  private void refuse(ChannelHandlerContext ctx, ByteBuf in, Reason reason, String detail) {
    closing = true;
    cancelStallCheck();
    in.skipBytes(in.readableBytes());
    refused.refuse(ctx.channel().remoteAddress(), reason, detail);
    ctx.close();
  }

  /**
   * PASS, DROP, or why the frame between {@code from} and {@code to} (after its length) is refused.
   */
  private Verdict check(ByteBuf in, int from, int to) {
    int streamId = in.getInt(from);
    int typeAndFlags = in.getUnsignedShort(from + 4);
    int type = typeAndFlags >>> 10;
    int flags = typeAndFlags & 0x3FF;
    int body = from + HEADER;
    if (streamId < 0) {
      return malformed("stream id with the reserved bit set");
    }
    if (!setupSeen) {
      if (type == RESUME) {
        return new Verdict(
            Reason.SETUP_REJECTED, "RESUME (expected: SETUP; resumption is not supported)");
      }
      if (type != SETUP) {
        return new Verdict(
            Reason.PROTOCOL_ERROR, "first frame is " + typeName(type) + " (expected: SETUP)");
      }
      Verdict setup = checkSetup(in, streamId, flags, body, to);
      setupSeen = setup == PASS;
      return setup;
    }
    if (streamId == 0) {
      return switch (type) {
        case KEEPALIVE ->
            to - body >= 8 ? PASS : malformed("KEEPALIVE of " + (to - from) + " bytes");
        case ERROR -> to - body >= 4 ? PASS : malformed("ERROR without an error code");
        case METADATA_PUSH -> DROP;
        case EXT ->
            (flags & FLAG_IGNORE) != 0 ? DROP : protocol("EXT frame the server cannot ignore");
        case SETUP -> protocol("a second SETUP");
        default ->
            known(type)
                ? protocol(typeName(type) + " on stream 0")
                : malformed("unknown frame type 0x" + Integer.toHexString(type));
      };
    }
    if ((streamId & 1) == 0) {
      return known(type)
          ? protocol(
              typeName(type)
                  + " on stream "
                  + streamId
                  + " (expected: odd stream ids; this server opens no streams)")
          : malformed("unknown frame type 0x" + Integer.toHexString(type));
    }
    return switch (type) {
      case REQUEST_RESPONSE, REQUEST_FNF -> metadata(in, flags, body, to);
      case REQUEST_STREAM, REQUEST_CHANNEL ->
          to - body < 4
              ? malformed(typeName(type) + " without its request count")
              : in.getInt(body) <= 0
                  ? protocol(
                      typeName(type)
                          + " asking for "
                          + in.getInt(body)
                          + " messages (expected: > 0)")
                  : metadata(in, flags, body + 4, to);
      case REQUEST_N ->
          to - body < 4
              ? malformed("REQUEST_N without its count")
              : in.getInt(body) <= 0
                  ? protocol("REQUEST_N of " + in.getInt(body) + " (expected: > 0)")
                  : PASS;
      case CANCEL -> PASS;
      case PAYLOAD ->
          (flags & (FLAG_NEXT | FLAG_COMPLETE)) == 0
              ? malformed("PAYLOAD with neither NEXT nor COMPLETE set")
              : metadata(in, flags, body, to);
      case ERROR -> to - body >= 4 ? PASS : malformed("ERROR without an error code");
      case EXT ->
          (flags & FLAG_IGNORE) != 0 ? DROP : protocol("EXT frame the server cannot ignore");
      default ->
          known(type)
              ? protocol(typeName(type) + " on stream " + streamId)
              : malformed("unknown frame type 0x" + Integer.toHexString(type));
    };
  }

  private static Verdict checkSetup(ByteBuf in, int streamId, int flags, int body, int to) {
    if (streamId != 0) {
      return protocol("SETUP on stream " + streamId + " (expected: 0)");
    }
    if (to - body < 12) {
      return malformed("SETUP of " + (to - body + HEADER) + " bytes (expected: at least 18)");
    }
    int major = in.getUnsignedShort(body);
    if (major != 1) {
      return new Verdict(
          Reason.SETUP_REJECTED,
          "SETUP of version " + major + "." + in.getUnsignedShort(body + 2) + " (expected: 1.x)");
    }
    if (in.getInt(body + 4) <= 0 || in.getInt(body + 8) <= 0) {
      return new Verdict(
          Reason.SETUP_REJECTED,
          "SETUP with keepalive "
              + in.getInt(body + 4)
              + " ms, max lifetime "
              + in.getInt(body + 8)
              + " ms (expected: both > 0)");
    }
    if ((flags & FLAG_RESUME) != 0) {
      return new Verdict(Reason.SETUP_REJECTED, "SETUP asking for resumption (not supported)");
    }
    if ((flags & FLAG_LEASE) != 0) {
      return new Verdict(Reason.SETUP_REJECTED, "SETUP asking for leases (not supported)");
    }
    int at = body + 12;
    String metadataMimeType = mimeType(in, at, to);
    if (metadataMimeType == null) {
      return malformed("SETUP whose metadata mime type does not fit the frame");
    }
    at += 1 + metadataMimeType.length();
    String dataMimeType = mimeType(in, at, to);
    if (dataMimeType == null) {
      return malformed("SETUP whose data mime type does not fit the frame");
    }
    if (!WireMetadata.COMPOSITE_MIME_TYPE.equals(metadataMimeType)) {
      return new Verdict(
          Reason.SETUP_REJECTED,
          "metadata mime type: '"
              + printable(metadataMimeType)
              + "' (expected: "
              + WireMetadata.COMPOSITE_MIME_TYPE
              + ")");
    }
    return metadata(in, flags, at + 1 + dataMimeType.length(), to);
  }

  /** A length byte and that many ASCII characters, or null when they do not fit. */
  private static @Nullable String mimeType(ByteBuf in, int at, int to) {
    if (at >= to) {
      return null;
    }
    int length = in.getUnsignedByte(at);
    if (at + 1 + length > to) {
      return null;
    }
    return in.toString(at + 1, length, StandardCharsets.ISO_8859_1);
  }

  private static Verdict metadata(ByteBuf in, int flags, int at, int to) {
    if ((flags & FLAG_METADATA) == 0) {
      return at <= to ? PASS : malformed("frame shorter than its fields");
    }
    if (to - at < LENGTH_FIELD) {
      return malformed("metadata flag set without a metadata length");
    }
    int length = in.getUnsignedMedium(at);
    return at + LENGTH_FIELD + length <= to
        ? PASS
        : malformed(
            "metadata of "
                + length
                + " bytes in a frame with "
                + (to - at - LENGTH_FIELD)
                + " left");
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
    for (int i = 0; i < text.length() && i < 64; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return out.toString();
  }

  private static boolean known(int type) {
    return (type >= SETUP && type <= RESUME_OK) || type == EXT;
  }

  private static String typeName(int type) {
    return switch (type) {
      case SETUP -> "SETUP";
      case LEASE -> "LEASE";
      case KEEPALIVE -> "KEEPALIVE";
      case REQUEST_RESPONSE -> "REQUEST_RESPONSE";
      case REQUEST_FNF -> "REQUEST_FNF";
      case REQUEST_STREAM -> "REQUEST_STREAM";
      case REQUEST_CHANNEL -> "REQUEST_CHANNEL";
      case REQUEST_N -> "REQUEST_N";
      case CANCEL -> "CANCEL";
      case PAYLOAD -> "PAYLOAD";
      case ERROR -> "ERROR";
      case METADATA_PUSH -> "METADATA_PUSH";
      case RESUME -> "RESUME";
      case RESUME_OK -> "RESUME_OK";
      case EXT -> "EXT";
      default -> "frame type 0x" + Integer.toHexString(type);
    };
  }

  private static Verdict malformed(String detail) {
    return new Verdict(Reason.MALFORMED_FRAME, detail);
  }

  private static Verdict protocol(String detail) {
    return new Verdict(Reason.PROTOCOL_ERROR, detail);
  }
}
