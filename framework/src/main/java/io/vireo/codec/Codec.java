package io.vireo.codec;

/**
 * Turns messages into bytes and back. {@code proto} (protobuf-java) and {@code json} (Jackson,
 * protobuf messages through {@code JsonFormat}) are built in.
 *
 * <p>A decode failure is a {@link io.vireo.VireoException} with INVALID_ARGUMENT.
 */
public interface Codec {
  /** The name configuration selects the codec by: {@code proto}, {@code json}. */
  String name();

  /** The content type on the wire, such as {@code application/x-protobuf}. */
  String contentType();

  /** Whether this codec can encode and decode values of this type. */
  boolean supports(Class<?> type);

  byte[] encode(Object value);

  <T> T decode(byte[] data, Class<T> type);
}
