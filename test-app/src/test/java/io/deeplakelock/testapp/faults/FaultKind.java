package io.deeplakelock.testapp.faults;

/** The faults the suite injects, one kind per trial. */
enum FaultKind {
  NONE("none"),
  LEADER_KILL("leader kill + restart"),
  CLIENT_EXPIRY("client-side session expiry"),
  SERVER_EXPIRY("server-side session expiry"),
  SIGKILL("SIGKILL of the holder"),
  SIGSTOP_SHORT("SIGSTOP of the holder, 0.5x session timeout"),
  SIGSTOP_LONG("SIGSTOP of the holder, 2x session timeout"),
  PARTITION("holder cut off from ZooKeeper, 5x session timeout");

  /** The name the report's table uses. */
  final String label;

  FaultKind(String label) {
    this.label = label;
  }
}
