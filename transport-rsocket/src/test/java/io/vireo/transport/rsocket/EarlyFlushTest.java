package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rsocket.Payload;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.PayloadFrameCodec;
import io.rsocket.frame.RequestFireAndForgetFrameCodec;
import io.rsocket.frame.RequestResponseFrameCodec;
import io.rsocket.util.ByteBufPayload;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Frames as rsocket-java writes them on a TCP connection: length-prefixed. */
class EarlyFlushTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private final EmbeddedChannel channel = new EmbeddedChannel(new EarlyFlush(4));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf framed(ByteBuf frame) {
    return FrameLengthCodec.encode(ALLOC, frame.readableBytes(), frame);
  }

  private static ByteBuf data() {
    return Unpooled.copiedBuffer("x", StandardCharsets.UTF_8);
  }

  private static final IntFunction<ByteBuf> REQUEST =
      id -> framed(RequestResponseFrameCodec.encode(ALLOC, id, false, null, data()));

  private static final IntFunction<ByteBuf> ANSWER =
      id -> framed(PayloadFrameCodec.encodeNextCompleteReleasingPayload(ALLOC, id, payload()));

  private static final IntFunction<ByteBuf> STREAM_ELEMENT =
      id -> framed(PayloadFrameCodec.encode(ALLOC, id, false, false, true, null, data()));

  private static final IntFunction<ByteBuf> FIRE_AND_FORGET =
      id -> framed(RequestFireAndForgetFrameCodec.encode(ALLOC, id, false, null, data()));

  private static Payload payload() {
    return ByteBufPayload.create("x");
  }

  private int sent() {
    return channel.outboundMessages().size();
  }

  @Test
  void requestsAreFlushedEveryFourFramesBeforeTheBatchEnds() {
    for (int i = 1; i <= 3; i++) {
      channel.write(REQUEST.apply(2 * i - 1));
    }
    assertThat(sent()).isZero();
    channel.write(REQUEST.apply(7));
    assertThat(sent()).isEqualTo(4);
  }

  @Test
  void unaryAnswersCountToo() {
    for (int i = 1; i <= 4; i++) {
      channel.write(ANSWER.apply(2 * i - 1));
    }
    assertThat(sent()).isEqualTo(4);
  }

  @Test
  void streamElementsAndFireAndForgetStayBatched() {
    for (int i = 1; i <= 8; i++) {
      channel.write(STREAM_ELEMENT.apply(1));
      channel.write(FIRE_AND_FORGET.apply(2 * i + 1));
    }
    assertThat(sent()).isZero();
    channel.flush();
    assertThat(sent()).isEqualTo(16);
  }

  @Test
  void aFrameInOneBufferIsReadToo() {
    for (int i = 1; i <= 4; i++) {
      ByteBuf framed = REQUEST.apply(2 * i - 1);
      channel.write(Unpooled.copiedBuffer(framed));
      framed.release();
    }
    assertThat(sent()).isEqualTo(4);
  }

  @Test
  void aFlushStartsTheCountAgain() {
    for (int i = 1; i <= 3; i++) {
      channel.write(REQUEST.apply(2 * i - 1));
    }
    channel.flush();
    assertThat(sent()).isEqualTo(3);
    for (int i = 4; i <= 6; i++) {
      channel.write(REQUEST.apply(2 * i - 1));
    }
    assertThat(sent()).isEqualTo(3);
  }
}
