package io.deeplakelock.matching.sample.overload;

import io.deeplakelock.matching.sample.Probe;

/** Overloads that a rule tells apart by parameter types. */
public class Codec {

  public String encode(String name, byte[] data) {
    return Probe.held();
  }

  public String encode(String name) {
    return Probe.held();
  }

  public String encode(String name, int[] data) {
    return Probe.held();
  }

  public String decode(String text) {
    return Probe.held();
  }

  public String decode(byte[] data) {
    return Probe.held();
  }

  public String tag(String... names) {
    return Probe.held();
  }

  public String tag(String name) {
    return Probe.held();
  }
}
