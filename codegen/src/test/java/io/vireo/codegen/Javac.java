package io.vireo.codegen;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** The JDK's compiler, in process. */
final class Javac {
  private Javac() {}

  /**
   * Compiles every .java under {@code sources} into {@code out}; returns the compiler's output, or
   * throws with it.
   */
  static String compile(List<Path> sources, Path out, String classpath, List<String> lint)
      throws IOException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    List<Path> files = new ArrayList<>();
    for (Path root : sources) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
      }
    }
    Files.createDirectories(out);
    List<String> options =
        new ArrayList<>(
            List.of(
                "--release",
                "17",
                "-encoding",
                "UTF-8",
                "-proc:none",
                "-d",
                out.toString(),
                "-cp",
                classpath));
    options.addAll(lint);
    StringWriter log = new StringWriter();
    try (StandardJavaFileManager manager = compiler.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = manager.getJavaFileObjectsFromPaths(files);
      boolean ok = compiler.getTask(log, manager, null, options, null, units).call();
      if (!ok) {
        throw new AssertionError("javac " + String.join(" ", lint) + " failed:\n" + log);
      }
    }
    return log.toString();
  }
}
