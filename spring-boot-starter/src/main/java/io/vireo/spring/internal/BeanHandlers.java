package io.vireo.spring.internal;

import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.broker.SubscribeOptions;
import io.vireo.spring.VireoService;
import io.vireo.spring.VireoSubscribe;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Finds the {@link VireoService} beans and {@link VireoSubscribe} methods of a bean factory from
 * the bean definitions, without creating the beans: the {@link Service} is a bean that handler
 * beans may themselves inject (to publish, say). Each handler and subscription reaches its bean at
 * the first call or event, which comes after the service started.
 */
public final class BeanHandlers {
  private static final Logger log = LoggerFactory.getLogger(BeanHandlers.class);

  private BeanHandlers() {}

  /** Adds every handler and subscription found in {@code beans} to {@code builder}. */
  public static void addTo(Service.Builder builder, ConfigurableListableBeanFactory beans) {
    for (String name : beans.getBeanNamesForAnnotation(VireoService.class)) {
      Class<?> type = beanType(beans, name);
      VireoService annotation = beans.findAnnotationOnBean(name, VireoService.class);
      List<Class<?>> ifaces =
          annotation == null || annotation.value().length == 0
              ? handlerInterfaces(name, type)
              : List.of(annotation.value());
      Supplier<Object> bean = memoized(() -> beans.getBean(name));
      for (Class<?> iface : ifaces) {
        if (!iface.isInterface() || !iface.isAssignableFrom(type)) {
          throw new IllegalArgumentException(
              "@VireoService("
                  + iface.getName()
                  + ") on bean '"
                  + name
                  + "' ("
                  + type.getName()
                  + "): expected an interface that the bean implements");
        }
        handle(builder, iface, lazy(iface, bean));
        log.debug("bean '{}' serves {}", name, iface.getName());
      }
    }
    for (String name : beans.getBeanDefinitionNames()) {
      Class<?> type = beans.getType(name, false);
      if (type == null || !AnnotationUtils.isCandidateClass(type, VireoSubscribe.class)) {
        continue;
      }
      Class<?> userType = ClassUtils.getUserClass(type);
      Map<Method, VireoSubscribe> methods =
          MethodIntrospector.selectMethods(
              userType,
              (MethodIntrospector.MetadataLookup<VireoSubscribe>)
                  method ->
                      AnnotatedElementUtils.findMergedAnnotation(method, VireoSubscribe.class));
      Supplier<Object> bean = memoized(() -> beans.getBean(name));
      methods.forEach((method, subscribe) -> subscribe(builder, name, bean, method, subscribe));
    }
  }

  private static Class<?> beanType(ConfigurableListableBeanFactory beans, String name) {
    Class<?> type = beans.getType(name, false);
    if (type == null) {
      throw new IllegalArgumentException(
          "@VireoService bean '"
              + name
              + "': its type is unknown before it is created (expected: a @Bean method whose return type is the implementation, or a @Component class)");
    }
    return type;
  }

  /** The interfaces annotated {@link RpcService}, else the only interface. */
  static List<Class<?>> handlerInterfaces(String name, Class<?> type) {
    List<Class<?>> all =
        Arrays.stream(ClassUtils.getAllInterfacesForClass(ClassUtils.getUserClass(type)))
            .filter(
                iface ->
                    !iface.getName().startsWith("org.springframework.")
                        && !iface.getName().startsWith("java."))
            .toList();
    List<Class<?>> annotated =
        all.stream().filter(iface -> iface.isAnnotationPresent(RpcService.class)).toList();
    if (!annotated.isEmpty()) {
      return annotated;
    }
    if (all.size() == 1) {
      return all;
    }
    throw new IllegalArgumentException(
        "@VireoService bean '"
            + name
            + "' ("
            + type.getName()
            + ") implements "
            + (all.isEmpty() ? "no interface" : all.stream().map(Class::getSimpleName).toList())
            + " (expected: one handler interface, one annotated @RpcService, or @VireoService(TheInterface.class))");
  }

  private static void subscribe(
      Service.Builder builder,
      String name,
      Supplier<Object> bean,
      Method method,
      VireoSubscribe subscribe) {
    String where =
        "@VireoSubscribe(topic = \""
            + subscribe.topic()
            + "\") "
            + method.getDeclaringClass().getSimpleName()
            + "."
            + method.getName()
            + " (bean '"
            + name
            + "')";
    if (method.getParameterCount() != 1) {
      throw new IllegalArgumentException(
          where
              + " takes "
              + method.getParameterCount()
              + " parameters (expected: one, the event)");
    }
    if (Modifier.isStatic(method.getModifiers())) {
      throw new IllegalArgumentException(where + " is static (expected: an instance method)");
    }
    SubscribeOptions.Builder options =
        SubscribeOptions.builder()
            .broadcast(subscribe.broadcast())
            .concurrency(subscribe.concurrency())
            .maxRetries(subscribe.maxRetries())
            .deadLetter(subscribe.deadLetter());
    if (!subscribe.group().isEmpty()) {
      options.group(subscribe.group());
    }
    Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(method.getParameterTypes()[0]);
    boolean reactive = Publisher.class.isAssignableFrom(method.getReturnType());
    Supplier<Method> invocable =
        memoized(
            () -> {
              Method target = AopUtils.selectInvocableMethod(method, bean.get().getClass());
              target.setAccessible(true);
              return target;
            });
    builder.subscribe(
        subscribe.topic(),
        type,
        options.build(),
        event -> {
          if (reactive) {
            return Flux.defer(() -> (Publisher<?>) invoke(invocable.get(), bean.get(), event))
                .then();
          }
          return Mono.fromCallable(() -> invoke(invocable.get(), bean.get(), event))
              .subscribeOn(Schedulers.boundedElastic())
              .then();
        });
    log.debug("{} subscribed", where);
  }

  /** A Publisher returned as such; a thrown exception as the one the method threw. */
  private static Object invoke(Method method, Object target, Object argument) {
    try {
      Object result = method.invoke(target, argument);
      if (result == null && Publisher.class.isAssignableFrom(method.getReturnType())) {
        return Mono.empty();
      }
      return result == null ? Boolean.TRUE : result;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot call " + method, e);
    }
  }

  private static Object lazy(Class<?> iface, Supplier<Object> bean) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "VireoService(" + iface.getName() + ")";
            };
          }
          try {
            return method.invoke(bean.get(), args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler);
  }

  private static <T> void handle(Service.Builder builder, Class<T> iface, Object implementation) {
    builder.handle(iface, iface.cast(implementation));
  }

  private static <T> Supplier<T> memoized(Supplier<T> supplier) {
    return new Supplier<>() {
      private volatile @Nullable T value;

      @Override
      public T get() {
        T current = value;
        if (current == null) {
          synchronized (this) {
            current = value;
            if (current == null) {
              current = supplier.get();
              value = current;
            }
          }
        }
        return current;
      }
    };
  }
}
