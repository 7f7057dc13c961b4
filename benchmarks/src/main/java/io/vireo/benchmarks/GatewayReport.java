package io.vireo.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the gateway table from the RESULT lines of {@code gateway.sh}: per figure the mean of the
 * rounds, the ratios and whether the floors are met (proxy: Vireo ≥ 1.2× Spring Cloud Gateway's
 * requests/s with p99 no worse; JSON → RPC ≥ 0.5× the direct call).
 *
 * <pre>java -cp ... io.vireo.benchmarks.GatewayReport RESULTS_FILE OUT.md MACHINE_LINE</pre>
 */
public final class GatewayReport {
  private GatewayReport() {}

  public static void main(String[] args) throws IOException {
    Map<String, List<double[]>> byName = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (!line.startsWith("RESULT ")) {
        continue;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      for (String part : line.substring(7).split(" ")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          fields.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
      if (!"0".equals(fields.get("errors"))) {
        continue;
      }
      byName
          .computeIfAbsent(fields.get("name"), n -> new ArrayList<>())
          .add(
              new double[] {
                Double.parseDouble(fields.get("ops_per_s")),
                Double.parseDouble(fields.get("p99_us"))
              });
    }
    StringBuilder out = new StringBuilder("# Gateway figures\n\n").append(args[2]).append("\n\n");
    out.append("| figure | requests/s | p99 µs |\n|---|---:|---:|\n");
    byName.forEach(
        (name, runs) ->
            out.append(
                String.format(
                    Locale.ROOT, "| %s | %,.0f | %,.0f |%n", name, mean(runs, 0), mean(runs, 1))));
    out.append("\n| ratio | value | floor | met |\n|---|---:|---:|:---:|\n");
    ratio(
        out,
        byName,
        "Vireo gateway proxy / Spring Cloud Gateway, requests/s at 64",
        "vireo-gateway-proxy",
        "scg-proxy",
        0,
        1.2,
        true);
    ratio(
        out,
        byName,
        "Vireo gateway proxy / Spring Cloud Gateway, p99",
        "vireo-gateway-proxy",
        "scg-proxy",
        1,
        1.0,
        false);
    ratio(
        out,
        byName,
        "JSON → RPC via the gateway / direct Vireo client, calls/s at 64",
        "vireo-gateway-json-rpc",
        "vireo-client-direct",
        0,
        0.5,
        true);
    ratio(
        out,
        byName,
        "Vireo gateway proxy / backend alone, requests/s (reference)",
        "vireo-gateway-proxy",
        "backend-direct",
        0,
        0,
        true);
    Files.writeString(Path.of(args[1]), out.toString());
    System.out.print(out);
  }

  private static void ratio(
      StringBuilder out,
      Map<String, List<double[]>> byName,
      String label,
      String a,
      String b,
      int index,
      double floor,
      boolean atLeast) {
    if (!byName.containsKey(a) || !byName.containsKey(b)) {
      out.append("| ").append(label).append(" | missing | | |\n");
      return;
    }
    double ratio = mean(byName.get(a), index) / mean(byName.get(b), index);
    boolean met = floor == 0 || (atLeast ? ratio >= floor : ratio <= floor);
    out.append(
        String.format(
            Locale.ROOT,
            "| %s | %.2f | %s%s | %s |%n",
            label,
            ratio,
            floor == 0 ? "" : atLeast ? "≥ " : "≤ ",
            floor == 0 ? "" : String.format(Locale.ROOT, "%.1f", floor),
            floor == 0 ? "" : met ? "yes" : "**no**"));
  }

  private static double mean(List<double[]> runs, int index) {
    return runs.stream().mapToDouble(r -> r[index]).average().orElse(0);
  }
}
