package io.vireo.broker.kafka;

import io.vireo.Status;
import io.vireo.VireoException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;

/** Kafka's exceptions as Vireo statuses. */
final class KafkaErrors {
  private KafkaErrors() {}

  /** {@code error} as a VireoException whose message starts with what was being done. */
  static VireoException toVireo(String doing, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof VireoException vireo) {
      return vireo;
    }
    return new VireoException(status(cause), doing + ": " + describe(cause), cause);
  }

  static Status status(Throwable cause) {
    if (cause instanceof RetriableException || cause instanceof InterruptException) {
      // timeouts, unreachable or restarting brokers, leaders moving: worth retrying later
      return Status.UNAVAILABLE;
    }
    if (cause instanceof InvalidTopicException
        || cause instanceof RecordTooLargeException
        || cause instanceof RecordBatchTooLargeException
        || cause instanceof SerializationException) {
      return Status.INVALID_ARGUMENT;
    }
    if (cause instanceof AuthenticationException) {
      return Status.UNAUTHENTICATED;
    }
    if (cause instanceof AuthorizationException) {
      return Status.PERMISSION_DENIED;
    }
    return Status.INTERNAL;
  }

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isEmpty() ? cause.getClass().getSimpleName() : message;
  }
}
