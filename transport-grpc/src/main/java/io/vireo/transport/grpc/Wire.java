package io.vireo.transport.grpc;

import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The mapping between Vireo's headers, content types and statuses and gRPC's. */
final class Wire {
  private static final Logger log = LoggerFactory.getLogger(Wire.class);

  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  static final String GRPC = "application/grpc";

  static final Metadata.Key<String> CONTENT_TYPE =
      Metadata.Key.of("content-type", Metadata.ASCII_STRING_MARSHALLER);

  /** The deadline on the wire, written by the client itself (see {@link #grpcTimeout}). */
  static final Metadata.Key<String> GRPC_TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * The content type of a call whose payload is not protobuf, as grpc-java clients send it: they
   * always write {@code content-type: application/grpc}, whatever the application asks.
   */
  static final Metadata.Key<String> VIREO_CONTENT_TYPE =
      Metadata.Key.of("vireo-content-type", Metadata.ASCII_STRING_MARSHALLER);

  private Wire() {}

  /**
   * The frame content type of a received call: {@code vireo-content-type} if sent, else the subtype
   * of {@code content-type} ({@code application/grpc} and {@code +proto} are protobuf, {@code
   * +json} is JSON, another {@code +x} is {@code application/x}).
   */
  static String contentType(Metadata metadata) {
    String explicit = metadata.get(VIREO_CONTENT_TYPE);
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    String header = metadata.get(CONTENT_TYPE);
    if (header == null || header.equals(GRPC)) {
      return PROTOBUF; // what grpc-java clients, Vireo's among them, send on every call
    }
    String value = header.toLowerCase(Locale.ROOT);
    int semicolon = value.indexOf(';');
    if (semicolon >= 0) {
      value = value.substring(0, semicolon);
    }
    value = value.trim();
    if (!value.startsWith(GRPC + "+")) {
      return PROTOBUF;
    }
    String subtype = value.substring(GRPC.length() + 1);
    switch (subtype) {
      case "proto":
      case "protobuf":
        return PROTOBUF;
      case "json":
        return JSON;
      default:
        return "application/" + subtype;
    }
  }

  /** Whether a header is gRPC's or HTTP/2's own, not the application's. */
  static boolean reserved(String name) {
    return name.startsWith(":")
        || name.startsWith("grpc-")
        || name.equals("content-type")
        || name.equals("te")
        || name.equals("user-agent")
        || name.equals(VIREO_CONTENT_TYPE.name());
  }

  /**
   * The application's metadata as headers. A {@code -bin} entry whose bytes are UTF-8 text is the
   * header without the suffix (that is how non-ASCII values travel). The deadline is {@link
   * Headers#TIMEOUT}, which {@link DeadlineHeader} made of {@code grpc-timeout} before grpc-java
   * read the headers.
   */
  static Headers headers(Metadata metadata) {
    // One pass over the entries as they arrived, names and values in bytes. Metadata.keys() would
    // decode every name into a new set, each get() would scan the entries again and a -bin key
    // would be made (and validated) anew: this runs for every call. InternalMetadata is grpc-java's
    // own door to those bytes (Armeria's gRPC uses it too); serialize() copies only the references.
    byte[][] entries = InternalMetadata.serialize(metadata);
    String[] pairs = new String[entries.length];
    int size = 0;
    for (int i = 0; i < entries.length; i += 2) {
      byte[] rawName = entries[i];
      boolean binary = endsWithBin(rawName);
      String name =
          new String(
              rawName,
              0,
              binary ? rawName.length - BIN.length : rawName.length,
              StandardCharsets.US_ASCII);
      if (name.isEmpty() || reserved(name)) {
        continue;
      }
      String value =
          binary ? utf8(entries[i + 1]) : new String(entries[i + 1], StandardCharsets.US_ASCII);
      if (value == null || !validHeader(name, value)) {
        continue;
      }
      pairs[size++] = name;
      pairs[size++] = value;
    }
    return size == 0
        ? Headers.empty()
        : Headers.of(size == pairs.length ? pairs : Arrays.copyOf(pairs, size));
  }

  private static final byte[] BIN =
      Metadata.BINARY_HEADER_SUFFIX.getBytes(StandardCharsets.US_ASCII);

  private static boolean endsWithBin(byte[] name) {
    return name.length >= BIN.length
        && Arrays.equals(name, name.length - BIN.length, name.length, BIN, 0, BIN.length);
  }

  /**
   * What {@link Headers} accepts: a token name (metadata names are lower-case already) and a
   * one-line value.
   */
  private static boolean validHeader(String name, String value) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c == ':' || c >= 127) {
        log.debug("metadata {} skipped: not a header name", name);
        return false;
      }
    }
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      log.debug("metadata {} skipped: value has a line break", name);
      return false;
    }
    return true;
  }

  private static final int MAX_CACHED_KEYS = 1024;
  private static final Map<String, Metadata.Key<String>> ASCII_KEYS = new ConcurrentHashMap<>();

  /**
   * An ASCII metadata key, from a bounded cache: a key validates and encodes its name when made,
   * and the same few names come with every call. Callers choose names, so the cache stops growing
   * at {@value #MAX_CACHED_KEYS}.
   */
  static Metadata.Key<String> asciiKey(String name) {
    Metadata.Key<String> key = ASCII_KEYS.get(name);
    if (key == null) {
      key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
      if (ASCII_KEYS.size() < MAX_CACHED_KEYS) {
        ASCII_KEYS.putIfAbsent(name, key);
      }
    }
    return key;
  }

  private static @Nullable String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException binary) {
      return null; // real binary metadata: not a Vireo header
    }
  }

  /**
   * Headers as metadata: printable ASCII values as they are, others as {@code <name>-bin} in UTF-8.
   * {@link Headers#TIMEOUT} travels as {@code grpc-timeout} (see {@link #grpcTimeout}), which every
   * gRPC server reads and from which a Vireo server gives the handler the time left.
   */
  static Metadata metadata(Headers headers, String contentType) {
    Metadata metadata = new Metadata();
    headers.forEach(
        (name, value) -> {
          if (name.equals(Headers.TIMEOUT)) {
            long millis = timeoutMillis(value);
            if (millis > 0) {
              metadata.put(GRPC_TIMEOUT, grpcTimeout(millis));
            }
            return;
          }
          if (reserved(name)) {
            return;
          }
          try {
            if (printableAscii(value) && !name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
              metadata.put(asciiKey(name), value);
            } else {
              metadata.put(
                  Metadata.Key.of(
                      name + Metadata.BINARY_HEADER_SUFFIX, Metadata.BINARY_BYTE_MARSHALLER),
                  value.getBytes(StandardCharsets.UTF_8));
            }
          } catch (IllegalArgumentException e) {
            log.debug("header {} not sent over gRPC: {}", name, e.getMessage());
          }
        });
    if (!contentType.equals(PROTOBUF) && !contentType.equals("application/protobuf")) {
      metadata.put(VIREO_CONTENT_TYPE, contentType);
    }
    return metadata;
  }

  private static boolean printableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /**
   * A {@code grpc-timeout} value of whole milliseconds (or, past 8 digits, coarser units), rounded
   * down, so the server never waits longer than the caller.
   *
   * <p>The client sends this header itself rather than give grpc-java a {@code CallOptions}
   * deadline: grpc-java would write the time left in microseconds, a value that never repeats, so
   * HPACK adds one table entry per call on both sides and evicts the call's other headers; and it
   * would arm a timer of its own per call, which the Vireo client's deadline (that cancels the
   * call) makes redundant. In milliseconds, the calls of the same millisecond share one table
   * entry.
   */
  static String grpcTimeout(long millis) {
    if (millis < 100_000_000L) {
      return millis + "m";
    }
    long seconds = millis / 1000;
    if (seconds < 100_000_000L) {
      return seconds + "S";
    }
    return Math.min(seconds / 3600, 99_999_999L) + "H";
  }

  /**
   * The caller's deadline in milliseconds, from a {@link Headers#TIMEOUT} value (at least 1), or 0
   * when it is not a number.
   */
  static long timeoutMillis(String value) {
    try {
      return Math.max(1, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      log.debug("header {}: '{}' is not milliseconds; no deadline sent", Headers.TIMEOUT, value);
      return 0;
    }
  }

  /**
   * A failure as the gRPC status sent to the caller; anything but a {@link VireoException} is
   * INTERNAL.
   */
  static io.grpc.Status status(Throwable error) {
    VireoException vireo = VireoException.from(error);
    String message = vireo.getMessage();
    return io.grpc.Status.fromCodeValue(vireo.status().code()).withDescription(message);
  }

  /** A gRPC status received as the {@link VireoException} it stands for. */
  static VireoException exception(io.grpc.Status status, String where) {
    Throwable cause = status.getCause();
    if (cause instanceof VireoException vireo
        && status.getCode() == io.grpc.Status.Code.CANCELLED) {
      return vireo; // our own cancellation, carrying why
    }
    String description = status.getDescription();
    String message =
        description == null || description.isEmpty() ? status.getCode().name() : description;
    if (cause != null
        && cause.getMessage() != null
        && status.getCode() == io.grpc.Status.Code.UNAVAILABLE) {
      message = where + ": " + message + " (" + cause.getMessage() + ")";
    }
    Status code = Status.of(status.getCode().value());
    if (code == Status.OK) {
      code = Status.INTERNAL;
    }
    return new VireoException(code, message);
  }
}
