package io.deeplakelock.agent;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Methods that two rules with different locks both match, found as classes load. Each gets an id
 * far above the rules' own ids; advice bound to such an id refuses every call with the message
 * here, rather than guessing which lock was meant.
 */
final class Conflicts {

  /** Far above any rule id, which only grows by the number of rules per reload. */
  private static final int FIRST_ID = 1 << 30;

  private final CopyOnWriteArrayList<String> messages = new CopyOnWriteArrayList<>();

  /** Records a conflict and returns the id its advice is bound to. */
  synchronized int register(String message) {
    messages.add(message);
    return FIRST_ID + messages.size() - 1;
  }

  /** True when {@code id} belongs to a conflict rather than a rule. */
  boolean isConflict(int id) {
    return id >= FIRST_ID;
  }

  String message(int id) {
    return messages.get(id - FIRST_ID);
  }
}
