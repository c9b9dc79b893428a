package io.deeplakelock.agent;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Methods that two rules with different locks both match, found as classes load. Each gets an id
 * after the rules' own ids; advice bound to such an id refuses every call with the message here,
 * rather than guessing which lock was meant.
 */
final class Conflicts {

  private final int firstId;
  private final CopyOnWriteArrayList<String> messages = new CopyOnWriteArrayList<>();

  Conflicts(int firstId) {
    this.firstId = firstId;
  }

  /** Records a conflict and returns the id its advice is bound to. */
  synchronized int register(String message) {
    messages.add(message);
    return firstId + messages.size() - 1;
  }

  /** True when {@code id} belongs to a conflict rather than a rule. */
  boolean isConflict(int id) {
    return id >= firstId;
  }

  String message(int id) {
    return messages.get(id - firstId);
  }
}
