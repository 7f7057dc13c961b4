package io.vireo.spring.internal;

import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A client that exists before the service starts: beans are injected while the context is
 * refreshed, the service starts afterwards (Spring's lifecycle), so the real client is made at the
 * first call after the start.
 */
public final class LazyClient implements InvocationHandler {
  private final String service;
  private final Class<?> iface;
  private final Supplier<Service> owner;
  private volatile Object client;

  private LazyClient(String service, Class<?> iface, Supplier<Service> owner) {
    this.service = service;
    this.iface = iface;
    this.owner = owner;
  }

  public static <T> T of(String service, Class<T> iface, Supplier<Service> owner) {
    if (!iface.isInterface()) {
      throw new IllegalArgumentException(
          "@VireoClient(\""
              + service
              + "\") "
              + iface.getName()
              + " (expected: a handler interface, such as the one the service serves)");
    }
    if (service.isBlank()) {
      throw new IllegalArgumentException(
          "@VireoClient: empty service name (expected: a name such as greeter)");
    }
    return iface.cast(
        Proxy.newProxyInstance(
            iface.getClassLoader(), new Class<?>[] {iface}, new LazyClient(service, iface, owner)));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "VireoClient(" + service + ", " + iface.getName() + ")";
      };
    }
    Object target = client;
    if (target == null) {
      Service vireo = owner.get();
      if (!vireo.isRunning()) {
        VireoException error =
            VireoException.of(
                Status.FAILED_PRECONDITION,
                "client of %s called before the Vireo service %s started (expected: calls after the application context started)",
                service,
                vireo.name());
        if (method.getReturnType() == Mono.class) {
          return Mono.error(error);
        }
        if (method.getReturnType() == Flux.class) {
          return Flux.error(error);
        }
        throw error;
      }
      synchronized (this) {
        if (client == null) {
          client = vireo.client(service, iface);
        }
        target = client;
      }
    }
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
