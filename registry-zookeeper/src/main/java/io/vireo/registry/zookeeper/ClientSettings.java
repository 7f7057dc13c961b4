package io.vireo.registry.zookeeper;

import io.vireo.config.Config;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.Optional;

/** How to reach ZooKeeper: shared by the registry and the config source. */
record ClientSettings(
    String connect,
    Duration sessionTimeout,
    Duration connectionTimeout,
    boolean retry,
    Optional<String> authDigest) {

  static final String DEFAULT_CONNECT = "127.0.0.1:2181";
  static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(15);
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  ClientSettings {
    if (connect.isBlank()) {
      throw new IllegalArgumentException(
          "connect: '" + connect + "' (expected: host:port[,host:port...])");
    }
    requirePositive("sessionTimeout", sessionTimeout);
    requirePositive("connectionTimeout", connectionTimeout);
    authDigest.ifPresent(ClientSettings::requireDigest);
  }

  static ClientSettings defaults() {
    return new ClientSettings(
        DEFAULT_CONNECT,
        DEFAULT_SESSION_TIMEOUT,
        DEFAULT_CONNECTION_TIMEOUT,
        false,
        Optional.empty());
  }

  /**
   * Reads {@code <prefix>.connect}, {@code .session-timeout}, ... falling back to {@code fallback}.
   * Without {@code .connection-timeout} it is the fallback's, but never more than the session
   * timeout: Curator warns ("session timeout is less than connection timeout") when it is, as with
   * a 4s session and the 5s default.
   */
  static ClientSettings from(Config config, String prefix, ClientSettings fallback) {
    Duration session = config.getDuration(prefix + ".session-timeout", fallback.sessionTimeout());
    Duration connection =
        config.getDuration(
            prefix + ".connection-timeout",
            fallback.connectionTimeout().compareTo(session) > 0
                ? session
                : fallback.connectionTimeout());
    return new ClientSettings(
        config.get(prefix + ".connect", fallback.connect()),
        session,
        connection,
        config.getBoolean(prefix + ".retry", fallback.retry()),
        config.get(prefix + ".auth.digest").or(fallback::authDigest));
  }

  ClientSettings withConnect(String connect) {
    return new ClientSettings(connect, sessionTimeout, connectionTimeout, retry, authDigest);
  }

  ClientSettings withSessionTimeout(Duration sessionTimeout) {
    return new ClientSettings(connect, sessionTimeout, connectionTimeout, retry, authDigest);
  }

  ClientSettings withConnectionTimeout(Duration connectionTimeout) {
    return new ClientSettings(connect, sessionTimeout, connectionTimeout, retry, authDigest);
  }

  ClientSettings withRetry(boolean retry) {
    return new ClientSettings(connect, sessionTimeout, connectionTimeout, retry, authDigest);
  }

  ClientSettings withAuthDigest(String userPassword) {
    return new ClientSettings(
        connect, sessionTimeout, connectionTimeout, retry, Optional.of(userPassword));
  }

  @Override
  public String toString() {
    // never print the password
    return "ClientSettings[connect="
        + connect
        + ", sessionTimeout="
        + Values.format(sessionTimeout)
        + ", connectionTimeout="
        + Values.format(connectionTimeout)
        + ", retry="
        + retry
        + ", auth="
        + authDigest.map(d -> d.substring(0, d.indexOf(':')) + ":***").orElse("none")
        + "]";
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + Values.format(value) + " (expected: > 0)");
    }
  }

  private static void requireDigest(String userPassword) {
    int colon = userPassword.indexOf(':');
    if (colon <= 0 || colon == userPassword.length() - 1) {
      throw new IllegalArgumentException("auth.digest: '<hidden>' (expected: user:password)");
    }
  }
}
