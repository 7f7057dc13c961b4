package io.vireo.registry.zookeeper;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Values;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and connects Curator clients; turns ZooKeeper errors into {@link VireoException}s. */
final class CuratorClients {
  private static final Logger logger = LoggerFactory.getLogger(CuratorClients.class);

  private CuratorClients() {}

  /** A new, not yet started client. */
  static CuratorFramework newClient(ClientSettings settings) {
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(settings.connect())
            .sessionTimeoutMs(millis(settings.sessionTimeout()))
            .connectionTimeoutMs(millis(settings.connectionTimeout()))
            // each operation retries a few times on connection loss, then fails with UNAVAILABLE;
            // registrations are remembered and written again when the connection returns
            .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000));
    settings
        .authDigest()
        .ifPresent(
            userPassword -> {
              List<ACL> acls = digestAcls(userPassword);
              builder
                  .authorization("digest", userPassword.getBytes(StandardCharsets.UTF_8))
                  .aclProvider(
                      new ACLProvider() {
                        @Override
                        public List<ACL> getDefaultAcl() {
                          return acls;
                        }

                        @Override
                        public List<ACL> getAclForPath(String path) {
                          return acls;
                        }
                      });
            });
    return builder.build();
  }

  /**
   * Everything for the digest user, reading for everyone else (so plain discovery clients still see
   * instances).
   */
  static List<ACL> digestAcls(String userPassword) {
    try {
      Id owner = new Id("digest", DigestAuthenticationProvider.generateDigest(userPassword));
      // not List.of: ZooKeeper asks the list whether it contains null, which List.of rejects
      return Collections.unmodifiableList(
          Arrays.asList(
              new ACL(ZooDefs.Perms.ALL, owner),
              new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available for ZooKeeper digest auth", e);
    }
  }

  /**
   * Starts {@code client} if needed and waits for its first connection: up to the connection
   * timeout, or, with {@code retry}, until it connects or {@code closed} says to give up. Blocks:
   * call on {@code boundedElastic}.
   */
  static void connect(
      CuratorFramework client,
      ClientSettings settings,
      String keyPrefix,
      String what,
      BooleanSupplier closed)
      throws InterruptedException {
    synchronized (client) {
      if (client.getState() == CuratorFrameworkState.LATENT) {
        client.start();
      }
    }
    long timeoutMs = Math.max(1, settings.connectionTimeout().toMillis());
    if (client.blockUntilConnected(
        (int) Math.min(Integer.MAX_VALUE, timeoutMs), TimeUnit.MILLISECONDS)) {
      return;
    }
    if (!settings.retry()) {
      throw unreachable(settings, keyPrefix, what);
    }
    int attempts = 1;
    long lastWarning = 0;
    while (!closed.getAsBoolean()) {
      // at most one warning every ten seconds, however short the connection timeout
      if (System.nanoTime() - lastWarning >= TimeUnit.SECONDS.toNanos(10) || lastWarning == 0) {
        lastWarning = System.nanoTime();
        logger.warn(
            "{}: ZooKeeper at {} still unreachable after {} attempt(s) of {}; retrying ({}.retry=true)",
            what,
            settings.connect(),
            attempts,
            Values.format(settings.connectionTimeout()),
            keyPrefix);
      }
      if (client.blockUntilConnected(
          (int) Math.min(Integer.MAX_VALUE, timeoutMs), TimeUnit.MILLISECONDS)) {
        logger.info("{}: connected to ZooKeeper at {}", what, settings.connect());
        return;
      }
      attempts++;
    }
    throw VireoException.of(
        Status.UNAVAILABLE, "%s: closed before ZooKeeper at %s answered", what, settings.connect());
  }

  static VireoException unreachable(ClientSettings settings, String keyPrefix, String what) {
    return VireoException.of(
        Status.UNAVAILABLE,
        "%s: cannot reach ZooKeeper at %s within %s; check that ZooKeeper runs there and that "
            + "%s.connect names it (or set %s.retry=true to keep trying)",
        what,
        settings.connect(),
        Values.format(settings.connectionTimeout()),
        keyPrefix,
        keyPrefix);
  }

  /** A ZooKeeper or Curator failure as a {@link VireoException} with a fitting status. */
  static VireoException toVireo(Throwable error, String what, String connect) {
    if (error instanceof VireoException vireo) {
      return vireo;
    }
    Status status = Status.INTERNAL;
    if (error instanceof KeeperException keeper) {
      switch (keeper.code()) {
        case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED, OPERATIONTIMEOUT, NOTREADONLY ->
            status = Status.UNAVAILABLE;
        case NOAUTH, AUTHFAILED -> status = Status.PERMISSION_DENIED;
        case NONODE -> status = Status.NOT_FOUND;
        default -> status = Status.INTERNAL;
      }
    } else if (error instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      status = Status.CANCELLED;
    }
    return new VireoException(
        status, what + " failed on ZooKeeper at " + connect + ": " + error, error);
  }

  static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }
}
