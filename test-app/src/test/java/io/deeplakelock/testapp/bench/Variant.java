package io.deeplakelock.testapp.bench;

/** One way of locking the workload; the benchmark's columns, in this order. */
enum Variant {
  UNGUARDED("unguarded", false, null, ""),
  /** The rules file as a user writes it: no tuning keys (coalescing on, linger unset). */
  DEFAULT("default", true, "/bench-default", ""),
  /** An explicit linger override. */
  LINGER("linger-20ms", true, "/bench-linger", "  linger: 20ms\n"),
  CURATOR("curator", false, "/bench-curator", ""),
  AGENT_PLAIN("agent-plain", true, "/bench-agent-plain", "  coalesce: false\n");

  final String label;
  final boolean underAgent;

  /** Parent znode of this variant's lock paths, so no two variants' nodes ever mix. */
  final String lockRoot;

  /** Lines of the rules file's {@code locks:} section beyond the common ones. */
  final String extraLockSettings;

  Variant(String label, boolean underAgent, String lockRoot, String extraLockSettings) {
    this.label = label;
    this.underAgent = underAgent;
    this.lockRoot = lockRoot;
    this.extraLockSettings = extraLockSettings;
  }

  boolean locks() {
    return this != UNGUARDED;
  }
}
