package io.deeplakelock.testapp.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A rules file for the child JVMs: the rules of {@code config/deeplake-lock.yaml} with the timeouts
 * a test needs, plus a write-lock rule for the {@code hold} workload's guarded method.
 */
final class RulesFile {
  private String sessionTimeout = "10s";
  private String timeout = "30s";
  private String mode = "enforce";

  /** The roll-out mode of every rule: enforce, observe or shadow. */
  RulesFile mode(String mode) {
    this.mode = mode;
    return this;
  }

  /** How long ZooKeeper keeps a dead holder's session (2 to 20 ticks of the test server). */
  RulesFile sessionTimeout(String duration) {
    this.sessionTimeout = duration;
    return this;
  }

  /** How long a guarded call waits for its lock. */
  RulesFile timeout(String duration) {
    this.timeout = duration;
    return this;
  }

  /** Writes the file as {@code dir/name}. */
  Path writeTo(Path dir, String name) throws IOException {
    // The connect value is quoted: unquoted, a lone ${NAME} is refused by the agent as a YAML tag
    // '!ENV_VARIABLE' (reported as an agent bug).
    String yaml =
        String.join(
            "\n",
            "zookeeper:",
            "  connect: \"${DEEPLAKE_LOCK_ZK}\"",
            "  sessionTimeout: " + sessionTimeout,
            "  connectionTimeout: 5s",
            "locks:",
            "  root: " + LockServer.ROOT,
            "  timeout: " + timeout,
            "mode: " + mode,
            "rules:",
            "  - name: dataset-writes",
            "    class: io.deeplakelock.testapp.dataset.Dataset",
            "    methods: [append, update, delete]",
            "    lock: write",
            "    dataset: this.path",
            "  - name: dataset-create",
            "    class: io.deeplakelock.testapp.dataset.Dataset",
            "    methods: [create]",
            "    lock: write",
            "    dataset: arg0",
            "  - name: dataset-reads",
            "    class: io.deeplakelock.testapp.dataset.Dataset",
            "    methods: [search, size, get]",
            "    lock: read",
            "    dataset: this.path",
            "  - name: dataset-open",
            "    class: io.deeplakelock.testapp.dataset.Dataset",
            "    methods: [open]",
            "    lock: read",
            "    dataset: arg0",
            "  # The hold workload's one long operation, which nests the writes above.",
            "  - name: dataset-hold",
            "    class: io.deeplakelock.testapp.service.HoldWorkload",
            "    methods: [hold]",
            "    lock: write",
            "    dataset: arg0.getPath()",
            "");
    return Files.write(dir.resolve(name), yaml.getBytes(StandardCharsets.UTF_8));
  }
}
