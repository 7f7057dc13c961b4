package io.vireo;

import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The one exception Vireo signals: a {@link Status} and a message that says what to fix.
 *
 * <p>Inside reactive chains it travels as an error signal ({@code Mono.error(...)}); it is never
 * thrown from an operator. Any other throwable that reaches the edge of a call is turned into one
 * by {@link #from(Throwable)}.
 *
 * <p>A handler answers with a status of its choosing by failing with one; its message goes to the
 * caller as written:
 *
 * <pre>{@code
 * public Mono<Stock> reserve(Order order) {
 *   if (order.getQuantity() <= 0) {
 *     return Mono.error(VireoException.of(Status.INVALID_ARGUMENT, "quantity: %d (expected: > 0)", order.getQuantity()));
 *   }
 *   ...
 * }
 * }</pre>
 *
 * Any other exception a handler throws or signals is mapped by {@link #from(Throwable)}; its text
 * stays in the server's log (with the call's trace id) and the caller gets the status and a generic
 * message, unless {@code vireo.server.error-details=true}.
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

  /**
   * The throwable as a {@code VireoException}, with the status its type stands for:
   *
   * <table>
   * <caption>statuses of common exceptions</caption>
   * <tr><td>{@link IllegalArgumentException} (and {@link NumberFormatException})</td><td>INVALID_ARGUMENT</td></tr>
   * <tr><td>{@link IllegalStateException}</td><td>FAILED_PRECONDITION</td></tr>
   * <tr><td>{@link UnsupportedOperationException}</td><td>UNIMPLEMENTED</td></tr>
   * <tr><td>{@link TimeoutException}</td><td>DEADLINE_EXCEEDED</td></tr>
   * <tr><td>{@link java.util.NoSuchElementException}</td><td>NOT_FOUND</td></tr>
   * <tr><td>{@link SecurityException}</td><td>PERMISSION_DENIED</td></tr>
   * <tr><td>{@link java.util.concurrent.CancellationException}</td><td>CANCELLED</td></tr>
   * <tr><td>{@link IndexOutOfBoundsException}</td><td>OUT_OF_RANGE</td></tr>
   * <tr><td>anything else</td><td>INTERNAL</td></tr>
   * </table>
   *
   * A {@code VireoException} is returned as it is.
   */
  public static VireoException from(Throwable error) {
    if (error instanceof VireoException vireo) {
      return vireo;
    }
    String message = error.getMessage();
    return new Converted(
        statusOf(error),
        message == null || message.isEmpty() ? error.getClass().getName() : message,
        error);
  }

  private static Status statusOf(Throwable error) {
    if (error instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT;
    }
    if (error instanceof IllegalStateException) {
      return Status.FAILED_PRECONDITION;
    }
    if (error instanceof UnsupportedOperationException) {
      return Status.UNIMPLEMENTED;
    }
    if (error instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED;
    }
    if (error instanceof NoSuchElementException) {
      return Status.NOT_FOUND;
    }
    if (error instanceof SecurityException) {
      return Status.PERMISSION_DENIED;
    }
    if (error instanceof CancellationException) {
      return Status.CANCELLED;
    }
    if (error instanceof IndexOutOfBoundsException) {
      return Status.OUT_OF_RANGE;
    }
    return Status.INTERNAL;
  }

  /**
   * Whether {@link #from(Throwable)} made this out of another exception (its message is that
   * exception's text, not one written for the caller).
   */
  public boolean converted() {
    return false;
  }

  /** Made by {@link #from(Throwable)} from an exception of another type. */
  private static final class Converted extends VireoException {
    private static final long serialVersionUID = 1L;

    Converted(Status status, String message, Throwable cause) {
      super(status, message, cause);
    }

    @Override
    public boolean converted() {
      return true;
    }
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
