package io.vireo;

import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * The one exception Vireo signals: a {@link Status} and a message that says what to fix.
 *
 * <p>Inside reactive chains it travels as an error signal ({@code Mono.error(...)}); it is
 * never thrown from an operator. Any other throwable that reaches the edge of a call is
 * turned into one by {@link #from(Throwable)}.
 */
public class VireoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status status;

  public VireoException(Status status, String message) {
    this(status, message, null);
  }

  public VireoException(Status status, String message, Throwable cause) {
    super(message, cause);
    if (Objects.requireNonNull(status, "status") == Status.OK) {
      throw new IllegalArgumentException("status: OK (expected: an error status)");
    }
    this.status = status;
  }

  /** Formats the message with {@link String#format}. */
  public static VireoException of(Status status, String format, Object... args) {
    return new VireoException(status, args.length == 0 ? format : String.format(format, args));
  }

  /** The throwable as a {@code VireoException}: timeouts become DEADLINE_EXCEEDED, the rest INTERNAL. */
  public static VireoException from(Throwable error) {
    if (error instanceof VireoException vireo) {
      return vireo;
    }
    if (error instanceof TimeoutException) {
      return new VireoException(Status.DEADLINE_EXCEEDED, "deadline exceeded", error);
    }
    String message = error.getMessage();
    return new VireoException(
        Status.INTERNAL,
        message == null || message.isEmpty() ? error.getClass().getName() : message,
        error);
  }

  public Status status() {
    return status;
  }

  /** Whether the call may be retried on another instance (if it is idempotent). */
  public boolean retryable() {
    return status.retryable();
  }

  @Override
  public String toString() {
    return "VireoException: " + status + ": " + getMessage();
  }
}
