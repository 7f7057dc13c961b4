package io.vireo.gateway;

/**
 * {@code java [-Dvireo.key=value...] -jar vireo-gateway.jar}: runs a gateway until SIGTERM. Every
 * setting is a {@code vireo.*} key, from {@code vireo.yaml}, the environment or {@code -D}.
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "vireo-gateway-logback.xml");
    }
    Gateway.Builder builder = Gateway.builder();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        System.err.println(
            "usage: java [-Dvireo.key=value...] -jar vireo-gateway.jar [--vireo.key=value...]");
        System.exit(2);
      }
      builder.set(arg.substring(2, eq), arg.substring(eq + 1));
    }
    try {
      builder.build().run();
    } catch (IllegalArgumentException e) {
      System.err.println("INVALID_ARGUMENT: " + e.getMessage());
      System.exit(1);
    }
  }
}
