package io.vireo.registry.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Values;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Builds jetcd clients; turns etcd errors into {@link VireoException}s. */
final class EtcdClients {
  private EtcdClients() {}

  /**
   * A new client. It connects lazily, on the first call. Calls do not wait for a connection ({@code
   * waitForReady(false)}): against an unreachable etcd they fail after jetcd's few retries, and
   * Vireo bounds every call by the connection timeout anyway.
   */
  static Client newClient(ClientSettings settings) {
    ClientBuilder builder =
        Client.builder()
            .endpoints(settings.endpoints())
            .waitForReady(false)
            .connectTimeout(settings.connectionTimeout());
    if (settings.user().isPresent()) {
      builder
          .user(ByteSequence.from(settings.user().get(), StandardCharsets.UTF_8))
          .password(ByteSequence.from(settings.password().orElseThrow(), StandardCharsets.UTF_8));
    }
    if (settings.tls()) {
      try {
        builder.sslContext(
            ssl -> {
              settings.tlsCaFile().ifPresent(ca -> ssl.trustManager(ca.toFile()));
              settings
                  .tlsCertFile()
                  .ifPresent(
                      cert ->
                          ssl.keyManager(
                              cert.toFile(), settings.tlsKeyFile().orElseThrow().toFile()));
            });
      } catch (SSLException e) {
        throw new IllegalArgumentException(
            "tls: cannot build a TLS context from " + settings + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "tls: unreadable certificate or key (expected: PEM files): " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  static VireoException unreachable(ClientSettings settings, String keyPrefix, String what) {
    return VireoException.of(
        Status.UNAVAILABLE,
        "%s: cannot reach etcd at %s within %s; check that etcd runs there and that %s.endpoints names it",
        what,
        settings.endpointText(),
        Values.format(settings.connectionTimeout()),
        keyPrefix);
  }

  /** An etcd or jetcd failure as a {@link VireoException} with a fitting status. */
  static VireoException toVireo(
      Throwable error, String what, ClientSettings settings, String keyPrefix) {
    Throwable cause = unwrap(error);
    if (cause instanceof VireoException vireo) {
      return vireo;
    }
    if (cause instanceof TimeoutException) {
      return unreachable(settings, keyPrefix, what);
    }
    Status status = Status.INTERNAL;
    String code = null;
    if (cause instanceof EtcdException etcd) {
      code = etcd.getErrorCode().name();
    } else if (cause instanceof StatusRuntimeException || cause instanceof StatusException) {
      code = io.grpc.Status.fromThrowable(cause).getCode().name();
    } else if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      status = Status.CANCELLED;
    }
    if (code != null) {
      try {
        status = Status.valueOf(code);
      } catch (IllegalArgumentException e) {
        status = Status.INTERNAL;
      }
      if (status == Status.UNAVAILABLE || status == Status.DEADLINE_EXCEEDED) {
        return new VireoException(
            Status.UNAVAILABLE,
            unreachable(settings, keyPrefix, what).getMessage() + " (" + cause.getMessage() + ")",
            cause);
      }
      String message = String.valueOf(cause.getMessage());
      if (message.contains("user name is empty") || message.contains("invalid auth token")) {
        return new VireoException(
            Status.UNAUTHENTICATED,
            what
                + ": etcd at "
                + settings.endpointText()
                + " requires authentication; set "
                + keyPrefix
                + ".user and "
                + keyPrefix
                + ".password ("
                + message
                + ")",
            cause);
      }
      if (message.contains("authentication failed")
          || status == Status.PERMISSION_DENIED
          || status == Status.UNAUTHENTICATED) {
        return new VireoException(
            status == Status.PERMISSION_DENIED ? status : Status.UNAUTHENTICATED,
            what
                + ": etcd at "
                + settings.endpointText()
                + " refused "
                + settings.user().map(user -> "user " + user).orElse("an anonymous client")
                + "; check "
                + keyPrefix
                + ".user, "
                + keyPrefix
                + ".password and the user's roles ("
                + message
                + ")",
            cause);
      }
    }
    return new VireoException(
        status, what + " failed on etcd at " + settings.endpointText() + ": " + cause, cause);
  }

  static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
