package io.vireo.transport;

import io.vireo.config.Config;

/**
 * The one owner of the message-size limit, {@code vireo.transport.max-message-size}: its key, its
 * default and its validation. Every transport enforces it on what it receives and sends (gRPC
 * through grpc-java's inbound limit, RSocket and the memory transport on each payload); the router
 * does not check it again.
 */
public final class MessageLimits {
  /** The largest message, in bytes, one call may carry in either direction. */
  public static final String MAX_MESSAGE_SIZE_KEY = "vireo.transport.max-message-size";

  /** 4 MiB, as gRPC's default. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

  private MessageLimits() {}

  /** {@code vireo.transport.max-message-size}, validated. */
  public static int maxMessageSize(Config config) {
    return checkMaxMessageSize(config.getInt(MAX_MESSAGE_SIZE_KEY, DEFAULT_MAX_MESSAGE_SIZE));
  }

  public static int checkMaxMessageSize(int bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException(
          MAX_MESSAGE_SIZE_KEY + ": " + bytes + " (expected: > 0 bytes)");
    }
    return bytes;
  }
}
