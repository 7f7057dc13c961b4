package io.vireo.internal.config;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SysPropConfigSource;
import io.smallrye.config.source.yaml.YamlConfigSource;
import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link Config} over SmallRye Config, with Vireo's layers and ordinals. */
public final class LayeredConfig implements Config {
  static final int DEFAULTS_ORDINAL = 0;
  static final int YAML_CLASSPATH_ORDINAL = 100;
  static final int YAML_WORKDIR_ORDINAL = 110;
  static final int DYNAMIC_ORDINAL = 250;
  static final int ENV_ORDINAL = 300;
  static final int SYSPROP_ORDINAL = 400;
  static final int CODE_ORDINAL = 500;
  static final String YAML_NAME = "vireo.yaml";

  private final SmallRyeConfig config;
  private final List<ConfigSource> dynamicSources;

  private LayeredConfig(SmallRyeConfig config, List<ConfigSource> dynamicSources) {
    this.config = config;
    this.dynamicSources = dynamicSources;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<String> get(String key) {
    return config.getOptionalValue(key, String.class);
  }

  /**
   * Every key some layer has, as that layer spells it (environment variables as {@code VIREO_X_Y}).
   */
  public Set<String> names() {
    Set<String> names = new TreeSet<>();
    for (org.eclipse.microprofile.config.spi.ConfigSource source : config.getConfigSources()) {
      names.addAll(source.getPropertyNames());
    }
    return names;
  }

  @Override
  public Map<String, String> subset(String prefix) {
    String dotted = prefix.endsWith(".") ? prefix : prefix + ".";
    Map<String, String> result = new TreeMap<>();
    for (String name : config.getPropertyNames()) {
      if (name.startsWith(dotted) && name.length() > dotted.length()) {
        get(name).ifPresent(value -> result.put(name.substring(dotted.length()), value));
      }
    }
    return Collections.unmodifiableMap(result);
  }

  @Override
  public Flux<Optional<String>> watch(String key) {
    Flux<Optional<String>> changes =
        Flux.fromIterable(dynamicSources)
            .flatMap(ConfigSource::changes)
            .filter(keys -> keys.contains(key))
            .map(keys -> get(key));
    return Flux.defer(() -> Flux.just(get(key))).concatWith(changes).distinctUntilChanged();
  }

  /** Closes the dynamic sources. */
  public Mono<Void> close() {
    return Flux.fromIterable(dynamicSources).flatMap(ConfigSource::close).then();
  }

  @Override
  public String toString() {
    return "LayeredConfig" + dynamicSources.stream().map(ConfigSource::name).toList();
  }

  /** Builds a {@link LayeredConfig}. */
  public static final class Builder implements Config.Builder {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> defaults = new LinkedHashMap<>();
    private final List<ConfigSource> sources = new ArrayList<>();
    private boolean standardSources = true;
    private Map<String, String> environment = System.getenv();

    /** The environment to read instead of the process's (for tests). */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    @Override
    public Builder set(String key, String value) {
      values.put(key, value);
      return this;
    }

    @Override
    public Builder setAll(Map<String, String> values) {
      this.values.putAll(values);
      return this;
    }

    @Override
    public Builder setDefault(String key, String value) {
      defaults.put(key, value);
      return this;
    }

    @Override
    public Builder source(ConfigSource source) {
      sources.add(source);
      return this;
    }

    @Override
    public Builder standardSources(boolean enabled) {
      this.standardSources = enabled;
      return this;
    }

    @Override
    public LayeredConfig build() {
      SmallRyeConfigBuilder builder =
          new SmallRyeConfigBuilder()
              .withSources(new PropertiesConfigSource(defaults, "vireo-defaults", DEFAULTS_ORDINAL))
              .withSources(new PropertiesConfigSource(values, "vireo-code", CODE_ORDINAL));
      if (standardSources) {
        builder.withSources(new EnvConfigSource(environment, ENV_ORDINAL));
        builder.withSources(
            new SysPropConfigSource() {
              private static final long serialVersionUID = 1L;

              @Override
              public int getOrdinal() {
                return SYSPROP_ORDINAL;
              }
            });
        yamlSources().forEach(builder::withSources);
      }
      for (ConfigSource source : sources) {
        builder.withSources(new DynamicSourceAdapter(source, DYNAMIC_ORDINAL));
      }
      return new LayeredConfig(builder.build(), List.copyOf(sources));
    }

    private static List<org.eclipse.microprofile.config.spi.ConfigSource> yamlSources() {
      List<org.eclipse.microprofile.config.spi.ConfigSource> result = new ArrayList<>();
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
          loader = LayeredConfig.class.getClassLoader();
        }
        Enumeration<URL> urls = loader.getResources(YAML_NAME);
        while (urls.hasMoreElements()) {
          result.add(new YamlConfigSource(urls.nextElement(), YAML_CLASSPATH_ORDINAL));
        }
        Path workdir = Path.of(YAML_NAME).toAbsolutePath();
        if (Files.isRegularFile(workdir)) {
          result.add(new YamlConfigSource(workdir.toUri().toURL(), YAML_WORKDIR_ORDINAL));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + YAML_NAME + ": " + e.getMessage(), e);
      }
      return result;
    }
  }

  private static final class DynamicSourceAdapter
      implements org.eclipse.microprofile.config.spi.ConfigSource {
    private final ConfigSource source;
    private final int ordinal;

    DynamicSourceAdapter(ConfigSource source, int ordinal) {
      this.source = source;
      this.ordinal = ordinal;
    }

    @Override
    public Set<String> getPropertyNames() {
      return source.properties().keySet();
    }

    @Override
    public Map<String, String> getProperties() {
      return source.properties();
    }

    @Override
    public String getValue(String propertyName) {
      return source.properties().get(propertyName);
    }

    @Override
    public String getName() {
      return source.name();
    }

    @Override
    public int getOrdinal() {
      return ordinal;
    }
  }
}
