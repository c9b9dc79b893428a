package io.deeplakelock.lock;

/** A node of one call's own, without coalescing ({@code locks.coalesce: false}). */
final class SoloNode extends Hold {

  final Request request;

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
