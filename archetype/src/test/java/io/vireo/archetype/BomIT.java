package io.vireo.archetype;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** vireo-bom lists every library module of the reactor, at the reactor's version. */
class BomIT {
  /**
   * Programs, tests of deployments and build helpers: not dependencies (and so are
   * vireo-samples-*).
   */
  private static final Set<String> NOT_LIBRARIES =
      Set.of(
          "vireo-samples",
          "vireo-benchmarks",
          "vireo-deploy",
          "vireo-archetype",
          "vireo-dependencies",
          "vireo-bom",
          "vireo-chaos",
          "vireo-cli");

  private final Path root =
      Paths.get(System.getProperty("vireo.root")).toAbsolutePath().normalize();

  @Test
  void theBomManagesEveryVireoLibraryAtTheReactorVersion() throws Exception {
    Document parent = read(root.resolve("pom.xml"));
    Document bom = read(root.resolve("bom/pom.xml"));
    assertThat(text(bom.getDocumentElement(), "version"))
        .isEqualTo(text(parent.getDocumentElement(), "version"));

    Set<String> libraries = new TreeSet<>();
    for (String module : children(child(parent.getDocumentElement(), "modules"), "module")) {
      Path pom = root.resolve(module).resolve("pom.xml");
      if (!Files.exists(pom)) {
        continue;
      }
      Element project = read(pom).getDocumentElement();
      String packaging = text(project, "packaging");
      String artifactId = text(project, "artifactId");
      if ((packaging.isEmpty() || packaging.equals("jar"))
          && !NOT_LIBRARIES.contains(artifactId)
          && !artifactId.startsWith("vireo-samples-")) {
        libraries.add(artifactId);
      }
    }
    Set<String> managed = new TreeSet<>();
    Element management =
        child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
    for (Node n = management.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element dependency && dependency.getTagName().equals("dependency")) {
        assertThat(text(dependency, "version")).isEqualTo("${project.version}");
        managed.add(text(dependency, "artifactId"));
      }
    }
    List<String> missing = new ArrayList<>(libraries);
    missing.removeAll(managed);
    assertThat(missing)
        .as(
            "modules missing from bom/pom.xml (add a <dependency> with io.vireo, the artifactId and"
                + " <version>${project.version}</version> for each)")
        .isEmpty();
    assertThat(managed).as("bom/pom.xml entries without a module").isSubsetOf(libraries);
  }

  private static Document read(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
  }

  private static String text(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    return "";
  }

  private static List<String> children(Element parent, String name) {
    List<String> out = new ArrayList<>();
    NodeList list = parent.getElementsByTagName(name);
    for (int i = 0; i < list.getLength(); i++) {
      out.add(list.item(i).getTextContent().trim());
    }
    return out;
  }
}
