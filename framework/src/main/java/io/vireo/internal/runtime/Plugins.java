package io.vireo.internal.runtime;

import io.vireo.config.Config;
import io.vireo.internal.config.KnownKeys;
import io.vireo.spi.PluginProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Finds plugin providers with {@link ServiceLoader}, by kind and name. */
public final class Plugins {
  private static final Map<Class<?>, Map<String, PluginProvider<?>>> CACHE =
      new ConcurrentHashMap<>();

  private Plugins() {}

  /**
   * Creates the plugin {@code name} of this kind, or fails with the kind, the name and the names
   * that are available.
   */
  public static <T, P extends PluginProvider<T>> T create(
      Class<P> providerType, String kind, String name, Config config) {
    return provider(providerType, kind, name).create(config);
  }

  /** The provider named {@code name}. */
  @SuppressWarnings("unchecked")
  public static <T, P extends PluginProvider<T>> P provider(
      Class<P> providerType, String kind, String name) {
    Map<String, PluginProvider<?>> providers = providers(providerType);
    PluginProvider<?> provider = providers.get(name);
    if (provider == null) {
      throw new IllegalArgumentException(unknown(kind, name, providers.keySet()));
    }
    return (P) provider;
  }

  /** Vireo's plugin modules, by kind and name: what to add when the name is one of theirs. */
  private static final Map<String, String> MODULES =
      Map.of(
          "transport/rsocket", "io.vireo:vireo-transport-rsocket",
          "transport/grpc", "io.vireo:vireo-transport-grpc",
          "registry/zookeeper", "io.vireo:vireo-registry-zookeeper",
          "registry/etcd", "io.vireo:vireo-registry-etcd",
          "broker/kafka", "io.vireo:vireo-broker-kafka",
          "config.sources/zookeeper", "io.vireo:vireo-registry-zookeeper");

  static String unknown(String kind, String name, Collection<String> available) {
    String base =
        String.format(
            "vireo.%s: unknown %s '%s' (available: %s)",
            kind, kind, name, String.join(", ", available));
    String module = MODULES.get(kind + "/" + name);
    if (module != null) {
      return base
          + "; add the module "
          + module
          + " to the classpath (a dependency of the program)";
    }
    String nearest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : available) {
      int distance = KnownKeys.distance(name, candidate);
      if (distance < best) {
        best = distance;
        nearest = candidate;
      }
    }
    if (nearest != null && best <= Math.max(1, name.length() / 3)) {
      return base + "; did you mean '" + nearest + "'?";
    }
    return base + "; a plugin of another module needs that module on the classpath";
  }

  /** The names of the providers of this kind. */
  public static List<String> names(Class<? extends PluginProvider<?>> providerType) {
    return new ArrayList<>(providers(providerType).keySet());
  }

  private static Map<String, PluginProvider<?>> providers(Class<?> providerType) {
    return CACHE.computeIfAbsent(
        providerType,
        type -> {
          Map<String, PluginProvider<?>> byName = new TreeMap<>();
          ClassLoader loader = Thread.currentThread().getContextClassLoader();
          try {
            for (Object provider :
                ServiceLoader.load(
                    type, loader == null ? Plugins.class.getClassLoader() : loader)) {
              PluginProvider<?> plugin = (PluginProvider<?>) provider;
              byName.putIfAbsent(plugin.name(), plugin);
            }
          } catch (ServiceConfigurationError e) {
            throw new IllegalStateException(
                "cannot load " + type.getSimpleName() + "s: " + e.getMessage(), e);
          }
          return byName;
        });
  }
}
