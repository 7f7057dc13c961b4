package io.vireo.registry.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys under one prefix, kept current by an etcd watch that resumes by revision.
 *
 * <p>Loading reads the prefix (a range) at some revision R and watches from R + 1. Each applied
 * event moves the cache's revision to the event's; a watch that fails (connection lost, etcd
 * restarted) is replaced by a new one from the cache's revision + 1, so that no change is missed,
 * and events at or below the cache's revision are dropped, so that none is applied twice. The
 * client library's own resume is not relied on: this class closes a failed watcher and opens its
 * own. When etcd has compacted the revisions needed, the prefix is read again and the difference
 * applied as one change.
 *
 * <p>All state changes happen on {@code executor} (one thread), never on the client library's
 * threads; {@code listener} is called there, after each change.
 */
final class PrefixCache {
  private static final Logger logger = LoggerFactory.getLogger(PrefixCache.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** What the cache tells its owner, on the cache's executor. */
  interface Listener {
    /** The keys and values now, after a change. */
    void changed(Map<String, KeyValue> current);

    /** One applied event (for tests of resume: which revisions were applied, once each). */
    default void applied(WatchEvent.EventType type, String key, long modRevision) {}
  }

  /** Sees each applied event. */
  @FunctionalInterface
  interface EventHook {
    void applied(WatchEvent.EventType type, String key, long modRevision);
  }

  private final Client client;
  private final String prefix;
  private final ByteSequence prefixBytes;
  private final ScheduledExecutorService executor;
  private final Duration timeout;
  private final String endpoints;
  private final Listener listener;

  // below: touched only on executor
  private final Map<String, KeyValue> current = new HashMap<>();
  private long revision;
  private int generation;
  private Duration backoff = FIRST_BACKOFF;
  private Watch.@Nullable Watcher watcher;
  private boolean closed;
  private boolean lost;

  PrefixCache(
      Client client,
      String prefix,
      ScheduledExecutorService executor,
      Duration timeout,
      String endpoints,
      Listener listener) {
    this.client = client;
    this.prefix = prefix;
    this.prefixBytes = bytes(prefix);
    this.executor = executor;
    this.timeout = timeout;
    this.endpoints = endpoints;
    this.listener = listener;
  }

  /**
   * Reads the prefix and starts watching; completes (on the executor) once the first values are in.
   */
  CompletableFuture<Void> start() {
    return read()
        .thenAcceptAsync(
            response -> {
              replaceWith(response);
              openWatch();
            },
            executor);
  }

  /** The revision of the last change applied (or read). For tests, on any thread. */
  long revision() {
    return CompletableFuture.supplyAsync(() -> revision, executor).join();
  }

  void close() {
    run(
        () -> {
          closed = true;
          generation++;
          closeWatcher();
        });
  }

  private CompletableFuture<GetResponse> read() {
    return client
        .getKVClient()
        .get(prefixBytes, GetOption.builder().isPrefix(true).build())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void replaceWith(GetResponse response) {
    current.clear();
    for (KeyValue kv : response.getKvs()) {
      current.put(text(kv.getKey()), kv);
    }
    revision = response.getHeader().getRevision();
    listener.changed(Map.copyOf(current));
  }

  private void openWatch() {
    if (closed) {
      return;
    }
    int mine = ++generation;
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
    watcher =
        client
            .getWatchClient()
            .watch(
                prefixBytes,
                option,
                new Watch.Listener() {
                  @Override
                  public void onNext(WatchResponse response) {
                    run(() -> apply(mine, response));
                  }

                  @Override
                  public void onError(Throwable error) {
                    run(() -> failed(mine, error));
                  }

                  @Override
                  public void onCompleted() {
                    run(() -> failed(mine, null));
                  }
                });
  }

  private void apply(int mine, WatchResponse response) {
    if (mine != generation || closed) {
      return;
    }
    if (lost) {
      lost = false;
      logger.info("etcd watch on {} resumed at revision {} ({})", prefix, revision + 1, endpoints);
    }
    backoff = FIRST_BACKOFF;
    long seen = revision;
    boolean changed = false;
    for (WatchEvent event : response.getEvents()) {
      KeyValue kv = event.getKeyValue();
      long modRevision = kv.getModRevision();
      if (modRevision <= seen) {
        continue; // already applied before a resume
      }
      String key = text(kv.getKey());
      switch (event.getEventType()) {
        case PUT -> current.put(key, kv);
        case DELETE -> current.remove(key);
        default -> {
          continue;
        }
      }
      listener.applied(event.getEventType(), key, modRevision);
      revision = Math.max(revision, modRevision);
      changed = true;
    }
    if (changed) {
      listener.changed(Map.copyOf(current));
    }
  }

  private void failed(int mine, @Nullable Throwable error) {
    if (mine != generation || closed) {
      return;
    }
    generation++; // whatever the old watcher still delivers is ignored
    closeWatcher();
    if (!lost) {
      lost = true;
      logger.warn(
          "etcd watch on {} failed at revision {} ({}): {}; serving the last known values and resuming",
          prefix,
          revision,
          endpoints,
          error == null ? "the stream ended" : error.toString());
    }
    boolean compacted =
        error instanceof CompactedException
            || error != null && error.getCause() instanceof CompactedException;
    retryLater(compacted);
  }

  private void retryLater(boolean fullRead) {
    Duration delay = backoff;
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    Runnable retry = fullRead ? this::resync : this::resume;
    try {
      executor.schedule(retry, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      logger.trace("Not resuming the watch on {}: closed", prefix);
    }
  }

  private void resume() {
    if (!closed) {
      openWatch();
    }
  }

  /** The revisions needed are gone: read the prefix again and watch from there. */
  private void resync() {
    if (closed) {
      return;
    }
    logger.warn("etcd compacted the revisions after {} of {}; reading it again", revision, prefix);
    int mine = ++generation;
    read()
        .whenCompleteAsync(
            (response, error) -> {
              if (mine != generation || closed) {
                return;
              }
              if (error != null) {
                retryLater(true);
                return;
              }
              replaceWith(response);
              openWatch();
            },
            executor);
  }

  private void closeWatcher() {
    Watch.Watcher old = watcher;
    watcher = null;
    if (old != null) {
      try {
        old.close();
      } catch (RuntimeException e) {
        logger.debug("Closing a watcher on {}: {}", prefix, e.toString());
      }
    }
  }

  /** On the executor; once its owner shut it down, what the client still delivers is dropped. */
  private void run(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      logger.trace("Dropped a watch callback on {} after close", prefix);
    }
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** For toString and logs. */
  @Override
  public String toString() {
    return "PrefixCache[" + prefix + "]";
  }
}
