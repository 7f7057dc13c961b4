package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: every plugin module of the build (transport-*, registry-*, broker-*) is a dependency of
 * the samples, so it is in the samples jar, and the Docker image is that jar.
 */
class EveryPluginInTheJarTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void everyPluginModuleIsADependencyOfTheSamples() throws Exception {
    String rootPom = Files.readString(ROOT.resolve("pom.xml"));
    List<String> plugins = new ArrayList<>();
    Matcher module =
        Pattern.compile("<module>((?:transport|registry|broker)-[a-z0-9-]+)</module>")
            .matcher(rootPom);
    while (module.find()) {
      plugins.add(module.group(1));
    }
    assertThat(plugins)
        .contains("transport-rsocket", "transport-grpc", "registry-zookeeper", "broker-kafka");
    String samplesPom = Files.readString(ROOT.resolve("samples/pom.xml"));
    for (String plugin : plugins) {
      assertThat(samplesPom)
          .as("samples/pom.xml depends on %s", plugin)
          .containsPattern("<artifactId>vireo-" + plugin + "</artifactId>\\s*</dependency>");
    }
  }

  @Test
  void theImageIsTheSamplesJar() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
    assertThat(dockerfile)
        .contains("package -DskipTests -pl samples -am")
        .contains("cp samples/target/vireo-samples.jar")
        .contains("\"-jar\", \"/app/vireo-samples.jar\"");
  }
}
