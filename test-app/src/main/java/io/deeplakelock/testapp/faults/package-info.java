/**
 * The child-process side of the fault-injection suite: a read-modify-write workload on one dataset
 * ({@link io.deeplakelock.testapp.faults.Ledger}), the witness file that shows overlapping critical
 * sections, and the JSON-lines history each process writes of its operations. Like the rest of the
 * test-app it has no locking of its own; the suite runs it under the agent with a rules file that
 * guards {@code Ledger.record}.
 */
package io.deeplakelock.testapp.faults;
