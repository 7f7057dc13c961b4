package io.vireo.transport.grpc;

import io.grpc.Deadline;
import io.grpc.Metadata;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The mapping between Vireo's headers, content types and statuses and gRPC's. */
final class Wire {
  private static final Logger log = LoggerFactory.getLogger(Wire.class);

  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  static final String GRPC = "application/grpc";

  static final Metadata.Key<String> CONTENT_TYPE = Metadata.Key.of("content-type", Metadata.ASCII_STRING_MARSHALLER);
  /**
   * The content type of a call whose payload is not protobuf, as grpc-java clients send it: they
   * always write {@code content-type: application/grpc}, whatever the application asks.
   */
  static final Metadata.Key<String> VIREO_CONTENT_TYPE = Metadata.Key.of("vireo-content-type", Metadata.ASCII_STRING_MARSHALLER);

  private Wire() {}

  /**
   * The frame content type of a received call: {@code vireo-content-type} if sent, else the
   * subtype of {@code content-type} ({@code application/grpc} and {@code +proto} are protobuf,
   * {@code +json} is JSON, another {@code +x} is {@code application/x}).
   */
  static String contentType(Metadata metadata) {
    String explicit = metadata.get(VIREO_CONTENT_TYPE);
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    String header = metadata.get(CONTENT_TYPE);
    if (header == null) {
      return PROTOBUF;
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
    return name.startsWith(":") || name.startsWith("grpc-") || name.equals("content-type") || name.equals("te")
        || name.equals("user-agent") || name.equals(VIREO_CONTENT_TYPE.name()) || name.equals(Headers.TIMEOUT)
        || name.endsWith(Metadata.BINARY_HEADER_SUFFIX);
  }

  /** The application's metadata as headers; the deadline, if any, becomes {@link Headers#TIMEOUT}. */
  static Headers headers(Metadata metadata, @Nullable Deadline deadline) {
    Headers headers = Headers.empty();
    for (String key : metadata.keys()) {
      if (reserved(key)) {
        continue;
      }
      String value = metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      if (value != null) {
        try {
          headers = headers.with(key, value);
        } catch (IllegalArgumentException e) {
          log.debug("metadata {} skipped: {}", key, e.getMessage());
        }
      }
    }
    if (deadline != null) {
      headers = headers.with(Headers.TIMEOUT, Long.toString(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS))));
    }
    return headers;
  }

  /** Headers as metadata, without the deadline (it travels as {@code grpc-timeout}). */
  static Metadata metadata(Headers headers, String contentType) {
    Metadata metadata = new Metadata();
    headers.forEach((name, value) -> {
      if (reserved(name)) {
        return;
      }
      try {
        metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
      } catch (IllegalArgumentException e) {
        log.debug("header {} not sent over gRPC: {}", name, e.getMessage());
      }
    });
    if (!contentType.equals(PROTOBUF) && !contentType.equals("application/protobuf")) {
      metadata.put(VIREO_CONTENT_TYPE, contentType);
    }
    return metadata;
  }

  /** The caller's deadline in milliseconds, from {@link Headers#TIMEOUT}. */
  static Optional<Long> timeoutMillis(Headers headers) {
    return headers.get(Headers.TIMEOUT).flatMap(value -> {
      try {
        long millis = Long.parseLong(value.trim());
        return millis > 0 ? Optional.of(millis) : Optional.of(1L);
      } catch (NumberFormatException e) {
        log.debug("header {}: '{}' is not milliseconds; no deadline sent", Headers.TIMEOUT, value);
        return Optional.empty();
      }
    });
  }

  /** A failure as the gRPC status sent to the caller; anything but a {@link VireoException} is INTERNAL. */
  static io.grpc.Status status(Throwable error) {
    VireoException vireo = VireoException.from(error);
    String message = vireo.getMessage();
    return io.grpc.Status.fromCodeValue(vireo.status().code()).withDescription(message);
  }

  /** A gRPC status received as the {@link VireoException} it stands for. */
  static VireoException exception(io.grpc.Status status, String where) {
    Throwable cause = status.getCause();
    if (cause instanceof VireoException vireo && status.getCode() == io.grpc.Status.Code.CANCELLED) {
      return vireo; // our own cancellation, carrying why
    }
    String description = status.getDescription();
    String message = description == null || description.isEmpty() ? status.getCode().name() : description;
    if (cause != null && cause.getMessage() != null && status.getCode() == io.grpc.Status.Code.UNAVAILABLE) {
      message = where + ": " + message + " (" + cause.getMessage() + ")";
    }
    Status code = Status.of(status.getCode().value());
    if (code == Status.OK) {
      code = Status.INTERNAL;
    }
    return new VireoException(code, message);
  }
}
