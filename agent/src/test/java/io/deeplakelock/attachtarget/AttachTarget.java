package io.deeplakelock.attachtarget;

import io.deeplakelock.testsupport.BridgeProbe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A running "legacy service" for the attach tests: each line on stdin makes one call to {@link
 * #write()}, which prints the lock it runs under. Outside the agent's ignored packages, so it can
 * be instrumented.
 */
public final class AttachTarget {

  private final String path;

  AttachTarget(String path) {
    this.path = path;
  }

  /** Guarded by the test's rule once the agent is attached. */
  public void write() {
    Object current = BridgeProbe.agentLoaded() ? BridgeProbe.current() : "no-agent";
    System.out.println("IN-CALL " + current + " " + path);
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("READY");
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      new AttachTarget(args[0]).write();
    }
  }
}
