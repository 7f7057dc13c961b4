package io.vireo.transport.rsocket;

import java.time.Duration;

/** The transport's options, with the RSocket frame limits derived from the largest message. */
record Settings(
    int maxMessageSize,
    Duration keepAliveInterval,
    Duration keepAliveMaxLifetime,
    Duration connectTimeout,
    String idleDataMimeType,
    int maxConcurrentStreams,
    Duration idleTimeout) {

  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  /** The largest frame RSocket's 24-bit length can carry. */
  static final int MAX_FRAME_LENGTH = 0xFF_FFFF;

  /** Room for the metadata (route, headers) and the frame header next to the largest message. */
  static final int METADATA_ALLOWANCE = 64 * 1024;

  /** The fragment size when a message and its metadata do not fit one frame. */
  static final int FRAGMENT_SIZE = 1024 * 1024;

  /** The largest request or response as it may cross the wire: message plus metadata. */
  int maxPayloadSize() {
    return (int) Math.min(Integer.MAX_VALUE, (long) maxMessageSize + METADATA_ALLOWANCE);
  }

  /**
   * The largest frame a server accepts: the largest payload plus room for the frame's own fields
   * while nothing is fragmented, else RSocket's largest frame.
   */
  int maxFrameLength() {
    return mtu() == 0 ? Math.min(MAX_FRAME_LENGTH, maxPayloadSize() + 1024) : MAX_FRAME_LENGTH;
  }

  /** No fragmentation while every payload fits in one frame; fragments of 1 MiB otherwise. */
  int mtu() {
    return maxPayloadSize() <= MAX_FRAME_LENGTH ? 0 : FRAGMENT_SIZE;
  }

  /**
   * rsocket-java's limit on reassembled payloads. It may not be below the frame length (16 MiB), so
   * for small maxima the message size is enforced by Vireo itself, with RESOURCE_EXHAUSTED.
   */
  int maxInboundPayloadSize() {
    return Math.max(MAX_FRAME_LENGTH, maxPayloadSize());
  }

  /** The content type a codec name ({@code vireo.codec}) stands for. */
  static String contentTypeOfCodec(String codec) {
    return "json".equals(codec) ? JSON : PROTOBUF;
  }
}
