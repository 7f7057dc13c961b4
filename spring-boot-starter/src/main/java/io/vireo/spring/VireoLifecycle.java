package io.vireo.spring;

import io.vireo.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the Vireo service when the application context has started, and stops it gracefully when
 * the context closes: deregisters, lets calls in flight finish within {@code
 * vireo.server.shutdown-timeout} (by default Spring's {@code
 * spring.lifecycle.timeout-per-shutdown-phase}, or one second with {@code
 * server.shutdown=immediate}), closes subscriptions and connections. It stops in the phase of the
 * web server's graceful shutdown, so both drain at once.
 */
public class VireoLifecycle implements SmartLifecycle {
  /** The web server's graceful-shutdown phase. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private static final Logger log = LoggerFactory.getLogger(VireoLifecycle.class);

  private final Service service;

  public VireoLifecycle(Service service) {
    this.service = service;
  }

  @Override
  public void start() {
    if (!service.isRunning()) {
      service.start();
    }
  }

  @Override
  public void stop() {
    service.stop();
  }

  /** Stops on a thread of its own, so that the other beans of this phase stop meanwhile. */
  @Override
  public void stop(Runnable callback) {
    Thread stopping =
        new Thread(
            () -> {
              try {
                service.stop();
              } catch (RuntimeException e) {
                log.warn("{}: stop failed: {}", service.name(), e.toString());
              } finally {
                callback.run();
              }
            },
            "vireo-stop-" + service.name());
    stopping.start();
  }

  @Override
  public boolean isRunning() {
    return service.isRunning();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
