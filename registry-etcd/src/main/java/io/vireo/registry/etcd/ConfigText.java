package io.vireo.registry.etcd;

import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a config document's text by the ZooKeeper config source's rules: a document whose top
 * level is a YAML mapping is YAML (flattened the way {@code vireo.yaml} is), anything else Java
 * properties.
 */
final class ConfigText {
  private ConfigText() {}

  static Map<String, String> parse(String name, byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return Map.of();
    }
    if (isYamlMapping(text)) {
      return Map.copyOf(new YamlConfigSource(name, text).getProperties());
    }
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": neither a YAML mapping nor Java properties: " + e.getMessage(), e);
    }
    Map<String, String> result = new TreeMap<>();
    properties.forEach((key, value) -> result.put(key.toString().trim(), value.toString().trim()));
    return Map.copyOf(result);
  }

  private static boolean isYamlMapping(String text) {
    try {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(text) instanceof Map;
    } catch (YAMLException e) {
      return false;
    }
  }
}
