package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;

/**
 * What a granted call runs under: a {@link ReadShare}, the {@link WriteHandoff} or a {@link
 * SoloNode}. Its node gives the call's fencing token and session.
 */
abstract class Hold {

  final OwnNode node;

  Hold(OwnNode node) {
    this.node = node;
  }

  final LockMode mode() {
    return node.mode;
  }

  /** A line for {@code status}: the node and who uses it. */
  abstract String describe();
}
