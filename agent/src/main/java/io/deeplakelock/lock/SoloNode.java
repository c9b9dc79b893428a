package io.deeplakelock.lock;

/**
 * A node of one call's own: without coalescing ({@code locks.coalesce: false}), or taken where
 * other processes were seen lately ({@code LockEngine#takesOwnNode}).
 */
final class SoloNode extends Hold {

  final Request request;

  /**
   * Local writers wait to take the node over when its call leaves: it carries a deletion watch
   * (asked for when the first of them came), as a node handed from call to call must.
   */
  boolean handOn;

  SoloNode(OwnNode node, Request request) {
    super(node);
    this.request = request;
  }

  @Override
  String describe() {
    String lost = node.lost == null ? "" : " (lost: " + node.lost + ")";
    return node.mode.label()
        + " node "
        + node.name()
        + " ("
        + request.thread.getName()
        + ")"
        + lost;
  }
}
