package io.vireo.gateway.internal;

import io.vireo.config.Config;
import io.vireo.spi.PluginProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Makes a plugin by name through its provider in {@code META-INF/services}, as services do. */
public final class Plugins {
  private Plugins() {}

  public static <T, P extends PluginProvider<T>> T create(
      Class<P> kind, String key, String name, Config config) {
    List<String> available = new ArrayList<>();
    for (P provider : ServiceLoader.load(kind, Plugins.class.getClassLoader())) {
      if (provider.name().equals(name)) {
        return provider.create(config);
      }
      available.add(provider.name());
    }
    throw new IllegalArgumentException(
        key
            + ": '"
            + name
            + "' (expected one of "
            + available
            + "; is the plugin's jar on the class path?)");
  }
}
