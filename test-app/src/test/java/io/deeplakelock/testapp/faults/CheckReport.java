package io.deeplakelock.testapp.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the checker counted for one trial, one row of the suite's table. */
final class CheckReport {
  final Trial.Spec spec;
  final int faults;
  int ok;
  int failed;
  int indeterminate;
  int lostRows;
  int duplicatedRows;
  int phantomRows;
  long unreadableRows;
  int lostUpdates;
  int staleWritesLanded;
  int witnessCollisions;
  int staleWitnesses;
  int overlaps;
  int unreportedOverlaps;
  int reportedLost;
  int actuallyLost;
  int lostUnreported;
  int unknownLockNodes;
  int orphans;
  long finalCounter = -1;
  long counterToken;
  final List<Long> unavailableMillis = new ArrayList<>();
  final List<String> lostExamples = new ArrayList<>();
  final List<String> overlapExamples = new ArrayList<>();
  final List<String> staleExamples = new ArrayList<>();
  final List<String> orphanExamples = new ArrayList<>();
  final List<String> errorExamples = new ArrayList<>();

  CheckReport(Trial.Spec spec, int faults) {
    this.spec = spec;
    this.faults = faults;
  }

  /** Overlapping critical sections, by either witness. */
  int overlapsSeen() {
    return Math.max(overlaps, witnessCollisions);
  }

  static String header() {
    return "| trial | faults | ops ok / failed / indet. | rows lost / dup. / phantom | lost"
        + " updates | stale writes landed | witness collisions (stale) | overlapping"
        + " intervals (unreported) | locks reported lost / actually lost | unavailable ms median (max) |"
        + " orphan znodes |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|";
  }

  String row() {
    return "| "
        + (!spec.agent
            ? "control: no agent"
            : spec.kind.label + (spec.fencing ? "" : ", fencing off"))
        + " | "
        + faults
        + " | "
        + ok
        + " / "
        + failed
        + " / "
        + indeterminate
        + " | "
        + lostRows
        + " / "
        + duplicatedRows
        + " / "
        + phantomRows
        + " | "
        + lostUpdates
        + " | "
        + (spec.agent ? Integer.toString(staleWritesLanded) : "n/a")
        + " | "
        + witnessCollisions
        + " ("
        + staleWitnesses
        + ") | "
        + overlaps
        + (spec.agent ? " (" + unreportedOverlaps + ")" : "")
        + " | "
        + (spec.agent ? reportedLost + " / " + actuallyLost : "n/a")
        + " | "
        + unavailability()
        + " | "
        + (spec.agent ? Integer.toString(orphans) : "n/a")
        + " |";
  }

  private String unavailability() {
    if (unavailableMillis.isEmpty()) {
      return "-";
    }
    List<Long> sorted = new ArrayList<>(unavailableMillis);
    Collections.sort(sorted);
    return sorted.get((sorted.size() - 1) / 2) + " (" + sorted.get(sorted.size() - 1) + ")";
  }

  /** Everything worth reading when an expectation fails. */
  String details() {
    return row()
        + "\n  final counter "
        + finalCounter
        + " (token "
        + counterToken
        + "), unreadable rows "
        + (unreadableRows < 0 ? "all (the meta is unreadable)" : Long.toString(unreadableRows))
        + ", lock nodes not seen by the recorder "
        + unknownLockNodes
        + ", actually lost but unreported "
        + lostUnreported
        + "\n  lost rows e.g. "
        + lostExamples
        + "\n  stale writes landed e.g. "
        + staleExamples
        + "\n  unreported overlaps e.g. "
        + overlapExamples
        + "\n  orphans e.g. "
        + orphanExamples
        + "\n  errors e.g. "
        + errorExamples;
  }
}
