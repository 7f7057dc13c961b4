package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Flushes after every {@code every} request-response requests and unary answers written, not only
 * when the batch of writes ends ({@link RSocketTransport.Builder#flushEvery}). It sits where frames
 * are still plain (inside TLS) and whole: 3 bytes of length, 4 of stream id, then the type and
 * flags.
 */
final class EarlyFlush extends ChannelDuplexHandler {
  static final String NAME = "vireo.early-flush";

  private static final int REQUEST_RESPONSE = 0x04;
  private static final int PAYLOAD = 0x0A;
  private static final int COMPLETE = 0x40;

  private final int every;
  private int written;

  EarlyFlush(int every) {
    this.every = every;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean counts = msg instanceof ByteBuf frame && unary(frame);
    ctx.write(msg, promise);
    if (counts && ++written >= every) {
      written = 0;
      ctx.flush();
    }
  }

  /** A request-response request or an answer that completes (3 bytes length, 4 stream id). */
  private static boolean unary(ByteBuf framed) {
    int typeAndFlags;
    // rsocket-java writes the length and the frame as the two parts of a composite: read the
    // frame's part directly rather than have the composite find it for every frame
    if (framed instanceof CompositeByteBuf parts
        && parts.numComponents() == 2
        && parts.internalComponent(0).readableBytes() == 3) {
      ByteBuf frame = parts.internalComponent(1);
      if (frame.readableBytes() < 6) {
        return false;
      }
      typeAndFlags = frame.getUnsignedShort(frame.readerIndex() + 4);
    } else {
      if (framed.readableBytes() < 9) {
        return false;
      }
      typeAndFlags = framed.getUnsignedShort(framed.readerIndex() + 7);
    }
    int type = typeAndFlags >>> 10;
    return type == REQUEST_RESPONSE || (type == PAYLOAD && (typeAndFlags & COMPLETE) != 0);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    written = 0;
    ctx.flush();
  }
}
