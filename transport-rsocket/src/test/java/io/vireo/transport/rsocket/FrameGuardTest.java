package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.FrameType;
import io.rsocket.frame.RequestFireAndForgetFrameCodec;
import io.rsocket.frame.SetupFrameCodec;
import io.rsocket.transport.netty.RSocketLengthCodec;
import io.rsocket.util.EmptyPayload;
import io.vireo.transport.RefusedConnections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard in the pipeline rsocket-java's server transport builds: the guard first, rsocket-java's
 * length decoder after it.
 */
class FrameGuardTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new FrameGuard(1 << 20, Duration.ofSeconds(10), RefusedConnections.of("rsocket-test")),
          new RSocketLengthCodec());

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf framed(ByteBuf frame) {
    ByteBuf framed = FrameLengthCodec.encode(ALLOC, frame.readableBytes(), frame);
    ByteBuf copy = Unpooled.copiedBuffer(framed);
    framed.release();
    return copy;
  }

  private static ByteBuf setup() {
    return framed(
        SetupFrameCodec.encode(
            ALLOC,
            false,
            20_000,
            90_000,
            WireMetadata.COMPOSITE_MIME_TYPE,
            "application/x-protobuf",
            EmptyPayload.INSTANCE));
  }

  private static ByteBuf fireAndForget(int streamId) {
    return framed(
        RequestFireAndForgetFrameCodec.encode(
            ALLOC, streamId, false, null, Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
  }

  /** The next frame rsocket-java would read: its type, after checking the length prefix. */
  private FrameType next() {
    ByteBuf framed = channel.readInbound();
    assertThat(framed).as("a frame reached rsocket-java").isNotNull();
    try {
      assertThat(framed.getUnsignedMedium(framed.readerIndex()))
          .as("the length prefix is kept, as rsocket-java's connection expects it")
          .isEqualTo(framed.readableBytes() - 3);
      return FrameHeaderCodec.frameType(FrameLengthCodec.frame(framed));
    } finally {
      framed.release();
    }
  }

  @Test
  void takesThePlaceOfRSocketsLengthDecoderAtTheFirstRead() {
    assertThat(channel.pipeline().get(RSocketLengthCodec.class)).isNotNull();

    channel.writeInbound(Unpooled.wrappedBuffer(setup(), fireAndForget(1)));

    assertThat(channel.pipeline().get(RSocketLengthCodec.class)).isNull();
    assertThat(next()).isEqualTo(FrameType.SETUP);
    assertThat(next()).isEqualTo(FrameType.REQUEST_FNF);
    assertThat((Object) channel.readInbound()).isNull();
  }

  @Test
  void aFrameSplitOverReadsStillArrivesOnceAndWhole() {
    channel.writeInbound(setup());
    assertThat(next()).isEqualTo(FrameType.SETUP);

    ByteBuf frame = fireAndForget(1);
    ByteBuf head = frame.readRetainedSlice(5);
    channel.writeInbound(head);
    assertThat((Object) channel.readInbound()).isNull();
    channel.writeInbound(frame);

    assertThat(next()).isEqualTo(FrameType.REQUEST_FNF);
    assertThat((Object) channel.readInbound()).isNull();
  }
}
