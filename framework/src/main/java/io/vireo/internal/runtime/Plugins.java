package io.vireo.internal.runtime;

import io.vireo.config.Config;
import io.vireo.spi.PluginProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Finds plugin providers with {@link ServiceLoader}, by kind and name. */
public final class Plugins {
  private static final Map<Class<?>, Map<String, PluginProvider<?>>> CACHE = new ConcurrentHashMap<>();

  private Plugins() {}

  /**
   * Creates the plugin {@code name} of this kind, or fails with the kind, the name and the
   * names that are available.
   */
  public static <T, P extends PluginProvider<T>> T create(Class<P> providerType, String kind, String name, Config config) {
    return provider(providerType, kind, name).create(config);
  }

  /** The provider named {@code name}. */
  @SuppressWarnings("unchecked")
  public static <T, P extends PluginProvider<T>> P provider(Class<P> providerType, String kind, String name) {
    Map<String, PluginProvider<?>> providers = providers(providerType);
    PluginProvider<?> provider = providers.get(name);
    if (provider == null) {
      throw new IllegalArgumentException(String.format(
          "unknown %s '%s' (available: %s; add the module that provides it to the classpath, or set vireo.%s)",
          kind, name, String.join(", ", providers.keySet()), kind));
    }
    return (P) provider;
  }

  /** The names of the providers of this kind. */
  public static List<String> names(Class<? extends PluginProvider<?>> providerType) {
    return new ArrayList<>(providers(providerType).keySet());
  }

  private static Map<String, PluginProvider<?>> providers(Class<?> providerType) {
    return CACHE.computeIfAbsent(providerType, type -> {
      Map<String, PluginProvider<?>> byName = new TreeMap<>();
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      try {
        for (Object provider : ServiceLoader.load(type, loader == null ? Plugins.class.getClassLoader() : loader)) {
          PluginProvider<?> plugin = (PluginProvider<?>) provider;
          byName.putIfAbsent(plugin.name(), plugin);
        }
      } catch (ServiceConfigurationError e) {
        throw new IllegalStateException("cannot load " + type.getSimpleName() + "s: " + e.getMessage(), e);
      }
      return byName;
    });
  }
}
