package io.vireo.transport;

import io.vireo.Headers;
import io.vireo.Route;

/**
 * The head of a request as it crosses the wire: which endpoint, the content type of the payloads,
 * the headers, and (for unary, fire-and-forget and server-stream calls) the one request payload. A
 * channel's head carries an empty payload; its messages follow.
 *
 * <p>The payload array is not copied: neither side changes it after handing it over.
 *
 * @param route the endpoint
 * @param contentType the codec's content type, such as {@code application/x-protobuf}
 * @param headers the call's headers; the deadline is {@link Headers#TIMEOUT}, in milliseconds
 * @param data the encoded request
 */
public record Frame(Route route, String contentType, Headers headers, byte[] data) {
  private static final byte[] EMPTY = new byte[0];

  /** A head without payload, for channels. */
  public static Frame head(Route route, String contentType, Headers headers) {
    return new Frame(route, contentType, headers, EMPTY);
  }
}
