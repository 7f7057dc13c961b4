package io.vireo.internal.resilience;

import io.vireo.Status;
import io.vireo.VireoException;

/** Resilience4j's refusals in Vireo's vocabulary. */
final class Errors {
  private Errors() {}

  /** An open breaker: UNAVAILABLE, but not worth a retry. */
  static final class BreakerOpen extends VireoException {
    private static final long serialVersionUID = 1L;

    BreakerOpen(String service, Throwable cause) {
      super(Status.UNAVAILABLE, "circuit breaker for " + service + " is open", cause);
    }
  }

  /** Whether this error says the called instance or service is in trouble. */
  static boolean failure(Throwable error) {
    if (error instanceof BreakerOpen) {
      return false;
    }
    Status status = VireoException.from(error).status();
    return status == Status.UNAVAILABLE
        || status == Status.INTERNAL
        || status == Status.UNKNOWN
        || status == Status.DEADLINE_EXCEEDED;
  }

  /** Whether a retry may help: a retryable status, and not an open breaker. */
  static boolean retryable(Throwable error) {
    return !(error instanceof BreakerOpen)
        && error instanceof VireoException vireo
        && vireo.retryable();
  }

  /** Whether a fallback should answer: UNAVAILABLE (an open breaker too) or DEADLINE_EXCEEDED. */
  static boolean fallsBack(Throwable error) {
    Status status = VireoException.from(error).status();
    return status == Status.UNAVAILABLE || status == Status.DEADLINE_EXCEEDED;
  }
}
