package io.vireo.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What {@code kubectl kustomize <dir>} renders, parsed. */
final class Manifests {
  private static final YAMLMapper YAML = new YAMLMapper();
  private final Path dir;
  private final List<JsonNode> objects;

  private Manifests(Path dir, List<JsonNode> objects) {
    this.dir = dir;
    this.objects = objects;
  }

  /** Renders with kubectl's kustomize; fails the test, saying what to install, without kubectl. */
  static Manifests render(Path dir) {
    ProcessBuilder builder =
        new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return fail(
          "kubectl is not on the PATH ("
              + e.getMessage()
              + "): these tests render deploy/kubernetes with"
              + " `kubectl kustomize` (expected: kubectl 1.14 or later, e.g. apt-get install kubectl or"
              + " https://kubernetes.io/docs/tasks/tools/)");
    }
    try {
      byte[] out = process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        return fail("kubectl kustomize " + dir + " failed: " + err);
      }
      List<JsonNode> objects = new ArrayList<>();
      try (var parser = new YAMLFactory().createParser(out)) {
        Iterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class);
        documents.forEachRemaining(
            node -> {
              if (node != null && !node.isEmpty()) {
                objects.add(node);
              }
            });
      }
      return new Manifests(dir, objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  List<JsonNode> objects() {
    return objects;
  }

  Optional<JsonNode> find(String kind, String name) {
    return objects.stream()
        .filter(
            o ->
                o.path("kind").asText().equals(kind)
                    && o.path("metadata").path("name").asText().equals(name))
        .findFirst();
  }

  JsonNode get(String kind, String name) {
    return find(kind, name)
        .orElseThrow(() -> new AssertionError(dir + " renders no " + kind + " " + name));
  }

  /** The ConfigMap a workload mounts as volume {@code volume}. */
  JsonNode mountedConfigMap(JsonNode workload, String volume) {
    for (JsonNode each : workload.at("/spec/template/spec/volumes")) {
      if (each.path("name").asText().equals(volume)) {
        return get("ConfigMap", each.at("/configMap/name").asText());
      }
    }
    throw new AssertionError(workload.at("/metadata/name").asText() + " has no volume " + volume);
  }

  static JsonNode container(JsonNode workload, String name) {
    for (JsonNode each : workload.at("/spec/template/spec/containers")) {
      if (each.path("name").asText().equals(name)) {
        return each;
      }
    }
    throw new AssertionError(workload.at("/metadata/name").asText() + " has no container " + name);
  }

  static int containerPort(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals(name)) {
        return port.path("containerPort").asInt();
      }
    }
    throw new AssertionError(
        "container " + container.path("name").asText() + " has no port named " + name);
  }

  /** The plain values of a container's env; {@code status.podIP} references are {@code podIp}. */
  static Map<String, String> env(JsonNode container, String podIp) {
    Map<String, String> env = new TreeMap<>();
    for (JsonNode each : container.path("env")) {
      String name = each.path("name").asText();
      if (each.has("value")) {
        env.put(name, each.path("value").asText());
      } else if (each.at("/valueFrom/fieldRef/fieldPath").asText().equals("status.podIP")) {
        env.put(name, podIp);
      } else {
        throw new AssertionError("env " + name + ": a reference the test cannot resolve: " + each);
      }
    }
    return env;
  }

  /** A vireo.yaml flattened to dotted keys, as Vireo reads it. */
  static Map<String, String> flatten(String yaml) {
    try {
      Map<String, String> keys = new TreeMap<>();
      flatten("", YAML.readTree(yaml), keys);
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> keys) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e ->
                  flatten(
                      prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                      e.getValue(),
                      keys));
    } else {
      keys.put(prefix, node.asText());
    }
  }

  static void writeTo(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectMapper json() {
    return JsonMapper.builder().build();
  }

  static void assertProbe(JsonNode container, String probe, String path) {
    JsonNode get = container.path(probe).path("httpGet");
    assertThat(get.path("path").asText())
        .as(container.path("name").asText() + " " + probe)
        .isEqualTo(path);
    assertThat(get.path("port").asText())
        .as(container.path("name").asText() + " " + probe + " port")
        .isEqualTo("admin");
  }
}
