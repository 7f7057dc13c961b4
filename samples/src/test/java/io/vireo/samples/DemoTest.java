package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's run command: the demo prints the four greeter results and the received event. */
class DemoTest {
  @Test
  void demoPrintsTheFourCallKindsAndTheEvent() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Main.main(new String[] {"demo"});
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(output)
        .contains("SayHello: Hello, Ada")
        .contains("LotsOfReplies: [Hello #1, Ada, Hello #2, Ada, Hello #3, Ada]")
        .contains("LotsOfGreetings: Hello, Ada, Grace, Linus")
        .contains("BidiHello: [Hi, Ada, Hi, Grace]")
        .contains("event user.greeted received: Ada");
  }
}
