package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.metadata.WellKnownAuthType;
import io.rsocket.metadata.WellKnownMimeType;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.Frame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A request's composite metadata, written and read by hand (the layout of rsocket-java's {@code
 * CompositeMetadataCodec}) so that the hot path makes one buffer and reads without intermediate
 * objects. Entries:
 *
 * <ul>
 *   <li>routing ({@code message/x.rsocket.routing.v0}): one tag, the route's full name ({@link
 *       Route#fullName()});
 *   <li>mime-type ({@code message/x.rsocket.mime-type.v0}): the content type, only when it differs
 *       from SETUP's data mime type;
 *   <li>authentication ({@code message/x.rsocket.authentication.v0}), bearer: the token of an
 *       {@code authorization: Bearer <token>} header;
 *   <li>{@code message/x.vireo.headers.v0}: every other header as UTF-8 {@code name: value\n}
 *       lines; absent when there is none.
 * </ul>
 */
final class WireMetadata {
  static final String COMPOSITE_MIME_TYPE =
      WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.getString();
  static final String HEADERS_MIME_TYPE = "message/x.vireo.headers.v0";

  private static final int WELL_KNOWN_FLAG = 0x80;
  private static final int ROUTING = WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.getIdentifier();
  private static final int MIME_TYPE = WellKnownMimeType.MESSAGE_RSOCKET_MIMETYPE.getIdentifier();
  private static final int AUTHENTICATION =
      WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION.getIdentifier();

  /** Not a well-known id: marks the Vireo headers entry while reading. */
  private static final int VIREO_HEADERS = 0x100;

  private static final int OTHER = -1;
  private static final int BEARER = WellKnownAuthType.BEARER.getIdentifier();

  private static final byte[] HEADERS_MIME_BYTES =
      HEADERS_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
  private static final String BEARER_PREFIX = "Bearer ";
  private static final int MAX_MEDIUM = 0xFF_FFFF;
  private static final int CACHE_LIMIT = 4096;

  /** Routing entries (header, length and tag) by route: the route set of a process is small. */
  private static final ConcurrentMap<Route, byte[]> ROUTING_ENTRIES = new ConcurrentHashMap<>();

  /**
   * The last route seen per slot (tag length and last byte): racy by design, each entry immutable
   * and checked byte for byte before use.
   */
  private static final RecentRoute[] RECENT_ROUTES = new RecentRoute[64];

  /** Routes by their RSocket name, for the server. */
  private static final ConcurrentMap<String, Route> ROUTES = new ConcurrentHashMap<>();

  /** What a request's metadata usually needs: a routing entry, a traceparent, a few headers. */
  static final int ROOM = 256;

  private WireMetadata() {}

  /** The metadata of a request; an unpooled heap buffer, so an unsent one is simply collected. */
  static ByteBuf encode(Frame frame, String setupDataMimeType) {
    // room for the routing entry, a traceparent and a few headers without growing
    ByteBuf buf = Unpooled.buffer(ROOM);
    write(frame, setupDataMimeType, buf);
    return buf;
  }

  /** Writes the metadata of a request into {@code buf}, from its writer index. */
  static void write(Frame frame, String setupDataMimeType, ByteBuf buf) {
    buf.writeBytes(routingEntry(frame.route()));
    String contentType = frame.contentType();
    if (!contentType.equals(setupDataMimeType)) {
      WellKnownMimeType known = WellKnownMimeType.fromString(contentType);
      buf.writeByte(WELL_KNOWN_FLAG | MIME_TYPE);
      if (isWellKnown(known)) {
        buf.writeMedium(1);
        buf.writeByte(WELL_KNOWN_FLAG | known.getIdentifier());
      } else {
        int length = asciiLength(contentType, 128, "content type");
        buf.writeMedium(1 + length);
        buf.writeByte(length - 1);
        buf.writeCharSequence(contentType, StandardCharsets.US_ASCII);
      }
    }
    Headers headers = frame.headers();
    if (headers.isEmpty()) {
      return;
    }
    String authorization = headers.get(Headers.AUTHORIZATION).orElse(null);
    boolean bearer =
        authorization != null
            && authorization.regionMatches(true, 0, BEARER_PREFIX, 0, BEARER_PREFIX.length());
    if (bearer) {
      buf.writeByte(WELL_KNOWN_FLAG | AUTHENTICATION);
      int lengthIndex = buf.writerIndex();
      buf.writeMedium(0);
      buf.writeByte(WELL_KNOWN_FLAG | BEARER);
      buf.writeCharSequence(
          authorization.substring(BEARER_PREFIX.length()), StandardCharsets.UTF_8);
      setLength(buf, lengthIndex);
    }
    if (headers.size() > (bearer ? 1 : 0)) {
      buf.writeByte(HEADERS_MIME_BYTES.length - 1);
      buf.writeBytes(HEADERS_MIME_BYTES);
      int lengthIndex = buf.writerIndex();
      buf.writeMedium(0);
      headers.forEach(new HeaderLines(buf, bearer));
      setLength(buf, lengthIndex);
    }
  }

  /**
   * The frame a request's metadata describes, with {@code data} as its payload. Fails with
   * INVALID_ARGUMENT on malformed metadata or no route, UNIMPLEMENTED on a route that is not {@code
   * <package>.<Service>.<Method>}.
   */
  /**
   * A request's frame from its metadata and data. The metadata is copied out once (it is small) and
   * read as an array: a buffer read byte by byte pays a bounds, reference-count and wrapper check
   * per byte, which made this a quarter of a fire-and-forget server's CPU.
   */
  static Frame decode(@Nullable ByteBuf metadata, String setupDataMimeType, byte[] data) {
    if (metadata == null || !metadata.isReadable()) {
      throw invalid(
          "no metadata (expected: composite metadata with a "
              + WellKnownMimeType.MESSAGE_RSOCKET_ROUTING
              + " entry)");
    }
    byte[] m = new byte[metadata.readableBytes()];
    metadata.getBytes(metadata.readerIndex(), m);
    Route route = null;
    String contentType = setupDataMimeType;
    Headers headers = Headers.empty();
    String bearerToken = null;
    int index = 0;
    int end = m.length;
    while (index < end) {
      int head = m[index++] & 0xFF;
      int kind;
      if ((head & WELL_KNOWN_FLAG) != 0) {
        kind = head & 0x7F;
      } else {
        int mimeLength = head + 1;
        if (index + mimeLength > end) {
          throw invalid("composite metadata: mime type runs past the end");
        }
        kind = customKind(m, index, mimeLength);
        index += mimeLength;
      }
      if (index + 3 > end) {
        throw invalid("composite metadata: entry length runs past the end");
      }
      int length = (m[index] & 0xFF) << 16 | (m[index + 1] & 0xFF) << 8 | (m[index + 2] & 0xFF);
      index += 3;
      if (index + length > end) {
        throw invalid("composite metadata: entry of " + length + " bytes runs past the end");
      }
      if (kind == ROUTING) {
        route = route(m, index, length);
      } else if (kind == MIME_TYPE) {
        contentType = mimeType(m, index, length);
      } else if (kind == AUTHENTICATION) {
        bearerToken = bearerToken(m, index, length);
      } else if (kind == VIREO_HEADERS) {
        headers = headers(m, index, length, headers);
      }
      index += length;
    }
    if (route == null) {
      throw invalid(
          "no "
              + WellKnownMimeType.MESSAGE_RSOCKET_ROUTING
              + " entry in the metadata (expected: one, naming the route)");
    }
    if (bearerToken != null) {
      headers = headers.with(Headers.AUTHORIZATION, BEARER_PREFIX + bearerToken);
    }
    return new Frame(route, contentType, headers, data);
  }

  private static byte[] routingEntry(Route route) {
    byte[] entry = ROUTING_ENTRIES.get(route);
    if (entry == null) {
      byte[] tag = route.fullName().getBytes(StandardCharsets.UTF_8);
      if (tag.length > 255) {
        throw VireoException.of(
            Status.INVALID_ARGUMENT, "route: %s (expected: at most 255 bytes)", route);
      }
      entry = new byte[1 + 3 + 1 + tag.length];
      entry[0] = (byte) (WELL_KNOWN_FLAG | ROUTING);
      int length = 1 + tag.length;
      entry[1] = (byte) (length >>> 16);
      entry[2] = (byte) (length >>> 8);
      entry[3] = (byte) length;
      entry[4] = (byte) tag.length;
      System.arraycopy(tag, 0, entry, 5, tag.length);
      if (ROUTING_ENTRIES.size() < CACHE_LIMIT) {
        ROUTING_ENTRIES.putIfAbsent(route, entry);
      }
    }
    return entry;
  }

  private static int customKind(byte[] m, int index, int length) {
    if (Arrays.equals(m, index, index + length, HEADERS_MIME_BYTES, 0, HEADERS_MIME_BYTES.length)) {
      return VIREO_HEADERS;
    }
    // A writer may spell a well-known type out in full.
    WellKnownMimeType known =
        WellKnownMimeType.fromString(new String(m, index, length, StandardCharsets.US_ASCII));
    return isWellKnown(known) ? known.getIdentifier() : OTHER;
  }

  private static Route route(byte[] m, int index, int length) {
    if (length < 1) {
      throw invalid("routing entry: empty (expected: one tag, <package>.<Service>.<Method>)");
    }
    int tagLength = m[index] & 0xFF;
    if (tagLength == 0 || 1 + tagLength > length) {
      throw invalid(
          "routing entry: a tag of "
              + tagLength
              + " bytes in "
              + length
              + " (expected: one tag, <package>.<Service>.<Method>)");
    }
    // the routes a server sees are few: most calls find theirs by comparing bytes, no String made
    int from = index + 1;
    int to = from + tagLength;
    int slot = (tagLength * 31 + m[to - 1]) & (RECENT_ROUTES.length - 1);
    RecentRoute recent = RECENT_ROUTES[slot];
    if (recent != null && Arrays.equals(m, from, to, recent.tag, 0, recent.tag.length)) {
      return recent.route;
    }
    String name = new String(m, from, tagLength, StandardCharsets.UTF_8);
    Route route = ROUTES.get(name);
    if (route == null) {
      try {
        route = Route.parse(name);
      } catch (IllegalArgumentException e) {
        throw new VireoException(Status.UNIMPLEMENTED, e.getMessage());
      }
      if (ROUTES.size() < CACHE_LIMIT) {
        ROUTES.putIfAbsent(name, route);
      }
    }
    RECENT_ROUTES[slot] = new RecentRoute(Arrays.copyOfRange(m, from, to), route);
    return route;
  }

  /** A route and its tag's bytes (never written after it is made). */
  private record RecentRoute(byte[] tag, Route route) {}

  private static String mimeType(byte[] m, int index, int length) {
    if (length < 1) {
      throw invalid("mime-type entry: empty");
    }
    int head = m[index] & 0xFF;
    if ((head & WELL_KNOWN_FLAG) != 0) {
      WellKnownMimeType known = WellKnownMimeType.fromIdentifier(head & 0x7F);
      if (!isWellKnown(known)) {
        throw invalid("mime-type entry: unknown id 0x" + Integer.toHexString(head & 0x7F));
      }
      return known.getString();
    }
    if (1 + head + 1 > length) {
      throw invalid("mime-type entry: mime type runs past the entry");
    }
    return new String(m, index + 1, head + 1, StandardCharsets.US_ASCII);
  }

  /** The bearer token, or null for another kind of authentication (ignored). */
  private static @Nullable String bearerToken(byte[] m, int index, int length) {
    if (length < 1) {
      throw invalid("authentication entry: empty");
    }
    int head = m[index] & 0xFF;
    if (head != (WELL_KNOWN_FLAG | BEARER)) {
      return null;
    }
    return new String(m, index + 1, length - 1, StandardCharsets.UTF_8);
  }

  private static Headers headers(byte[] m, int index, int length, Headers headers) {
    // line by line: no String of the whole entry, and the names every call carries are the
    // constants themselves
    int end = index + length;
    String[] pairs = new String[4];
    int count = 0;
    int start = index;
    while (start < end) {
      int lineEnd = indexOf(m, start, end, (byte) '\n');
      int next = lineEnd + 1;
      if (lineEnd > start && m[lineEnd - 1] == '\r') {
        lineEnd--;
      }
      if (lineEnd > start) {
        int colon = indexOf(m, start, lineEnd, (byte) ':');
        if (colon == lineEnd || colon == start) {
          throw invalid(
              "headers entry: line '"
                  + new String(m, start, lineEnd - start, StandardCharsets.UTF_8)
                  + "' (expected: name: value)");
        }
        int valueStart = colon + 1;
        if (valueStart < lineEnd && m[valueStart] == ' ') {
          valueStart++;
        }
        if (count == pairs.length) {
          pairs = Arrays.copyOf(pairs, count * 2);
        }
        pairs[count++] = headerName(m, start, colon);
        pairs[count++] = new String(m, valueStart, lineEnd - valueStart, StandardCharsets.UTF_8);
      }
      start = next;
    }
    // one validating pass and one array for the entry, rather than a copy per line
    Headers lines;
    try {
      lines = Headers.of(count == pairs.length ? pairs : Arrays.copyOf(pairs, count));
    } catch (IllegalArgumentException e) {
      throw invalid("headers entry: " + e.getMessage());
    }
    return headers.isEmpty() ? lines : headers.withAll(lines);
  }

  /** The index of {@code value} in {@code m[from, to)}, or {@code to} if it is not there. */
  private static int indexOf(byte[] m, int from, int to, byte value) {
    for (int i = from; i < to; i++) {
      if (m[i] == value) {
        return i;
      }
    }
    return to;
  }

  /** The header names of (almost) every call, matched without decoding them. */
  private static final String[] KNOWN_NAMES = {
    Headers.CALLER, Headers.TIMEOUT, Headers.TRACEPARENT, "tracestate", "x-request-id"
  };

  private static final byte[][] KNOWN_NAME_BYTES = knownNameBytes();

  private static byte[][] knownNameBytes() {
    byte[][] names = new byte[KNOWN_NAMES.length][];
    for (int i = 0; i < KNOWN_NAMES.length; i++) {
      names[i] = KNOWN_NAMES[i].getBytes(StandardCharsets.US_ASCII);
    }
    return names;
  }

  private static String headerName(byte[] m, int from, int to) {
    for (int i = 0; i < KNOWN_NAME_BYTES.length; i++) {
      byte[] known = KNOWN_NAME_BYTES[i];
      if (Arrays.equals(m, from, to, known, 0, known.length)) {
        return KNOWN_NAMES[i];
      }
    }
    return new String(m, from, to - from, StandardCharsets.UTF_8);
  }

  private static boolean isWellKnown(WellKnownMimeType type) {
    return type != WellKnownMimeType.UNPARSEABLE_MIME_TYPE
        && type != WellKnownMimeType.UNKNOWN_RESERVED_MIME_TYPE;
  }

  private static int asciiLength(String value, int max, String what) {
    int length = value.length();
    if (length == 0 || length > max) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT, "%s: '%s' (expected: 1..%d ASCII characters)", what, value, max);
    }
    return length;
  }

  private static void setLength(ByteBuf buf, int lengthIndex) {
    int length = buf.writerIndex() - lengthIndex - 3;
    if (length > MAX_MEDIUM) {
      throw VireoException.of(
          Status.RESOURCE_EXHAUSTED,
          "metadata entry: %d bytes (expected: <= %d)",
          length,
          MAX_MEDIUM);
    }
    buf.setMedium(lengthIndex, length);
  }

  private static VireoException invalid(String message) {
    return new VireoException(Status.INVALID_ARGUMENT, message);
  }

  /** Writes {@code name: value\n} lines, leaving out the bearer token that has its own entry. */
  private static final class HeaderLines implements BiConsumer<String, String> {
    private final ByteBuf buf;
    private final boolean skipAuthorization;

    HeaderLines(ByteBuf buf, boolean skipAuthorization) {
      this.buf = buf;
      this.skipAuthorization = skipAuthorization;
    }

    @Override
    public void accept(String name, String value) {
      if (skipAuthorization && name.equals(Headers.AUTHORIZATION)) {
        return;
      }
      buf.writeCharSequence(name, StandardCharsets.US_ASCII);
      buf.writeByte(':');
      buf.writeByte(' ');
      buf.writeCharSequence(value, StandardCharsets.UTF_8);
      buf.writeByte('\n');
    }
  }
}
